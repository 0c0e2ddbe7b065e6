import { requireInstitutionManager, type Identity } from '@kyoyo/auth';
import { encodeGlobalId, errors } from '@kyoyo/domain';
import { formatKyoyoCsv, formatUniquip, KYOYO_CSV_LIMITS, uniquipRowOf, type KyoyoCsvRow } from '@kyoyo/listings';
import type { CallContext, InstitutionClient } from '../federation/institution-client';
import type { InstitutionRegistry } from '../registry/registry';
import type { FederatedInstrument } from '../instruments/instruments.types';
import {
  DECOMMISSION_INSTRUMENT,
  IMPORT_INSTRUMENTS,
  LISTED_INSTRUMENTS,
  LISTING_CHANGES,
  RECOMMISSION_INSTRUMENT,
  type DecommissionInstrumentData,
  type ExportedInstrument,
  type ImportInstrumentsData,
  type ListedInstrumentsData,
  type ListingChangesData,
  type RecommissionInstrumentData,
  type ServiceImportReport,
  type ServiceListingChange,
} from './listings.documents';

/**
 * Time an institution gets for one import: 10 MiB of CSV is tens of thousands of listings to check and write
 * in one transaction (about 10 s for the 10,082 listings of the national network's file on a 2-core machine).
 */
export const IMPORT_TIMEOUT_MS = 120_000;

/** Listings per page an export asks of the institution. */
const EXPORT_PAGE = 2000;

/** A listing change at the gateway: the service's answer with global ids. */
export interface FederatedListingChange extends Omit<ServiceListingChange, 'instrumentId'> {
  instrumentId: string;
}

/** The hourly SELF rate a listing offers a user category, as the CSV's fee columns hold it. */
function selfRate(instrument: ExportedInstrument, category: string): number | null {
  return instrument.fees.find((f) => f.userCategory === category && f.mode === 'SELF')?.hourlyRate ?? null;
}

/** A listed instrument as a Kyoyo CSV row (what `importInstruments` reads back unchanged). */
export function kyoyoCsvRowOf(instrument: ExportedInstrument): KyoyoCsvRow {
  return {
    localId: instrument.localId,
    name: instrument.name,
    nameEn: instrument.nameEn,
    category: instrument.category,
    manufacturer: instrument.manufacturer,
    model: instrument.model,
    description: instrument.description,
    acquisitionPrice: instrument.acquisitionPrice,
    acquiredOn: instrument.acquiredOn,
    building: instrument.building,
    latitude: instrument.location?.latitude ?? null,
    longitude: instrument.location?.longitude ?? null,
    sharedExternally: instrument.sharedExternally,
    remoteOperable: instrument.remoteOperable,
    requiresApproval: instrument.requiresApproval,
    requiresQualification: instrument.requiresQualification,
    feeInternal: selfRate(instrument, 'INTERNAL'),
    feeAcademic: selfRate(instrument, 'ACADEMIC'),
    feeIndustry: selfRate(instrument, 'INDUSTRY'),
  };
}

/** The listing-management use cases of one gateway request: imports, decommissioning, history, exports. */
export class ListingsService {
  constructor(
    private readonly registry: InstitutionRegistry,
    private readonly client: InstitutionClient,
    private readonly call: CallContext,
  ) {}

  private member(institution: string, field: string): void {
    if (!this.registry.get(institution)) throw errors.badInput(field, `${institution} is not a member institution`);
  }

  /** Facility office of the institution, or ADMIN: a Kyoyo CSV, all or nothing, checked by the institution. */
  async import(institution: string, csv: string, dryRun: boolean, identity: Identity | null): Promise<ServiceImportReport> {
    requireInstitutionManager(identity, institution);
    this.member(institution, 'institution');
    const bytes = Buffer.byteLength(csv, 'utf8');
    if (bytes > KYOYO_CSV_LIMITS.bytes) {
      throw errors.limitExceeded(
        `The CSV holds ${bytes} bytes; an import takes at most ${KYOYO_CSV_LIMITS.bytes} (10 MiB): split the file`,
        'csv',
      );
    }
    const data = await this.client.request<ImportInstrumentsData>(
      institution,
      'ImportInstruments',
      IMPORT_INSTRUMENTS,
      { csv, dryRun },
      this.call,
      { timeoutMs: IMPORT_TIMEOUT_MS },
    );
    return data.importInstruments;
  }

  /** Facility office of the owning institution, or ADMIN: out of search, checks and reports. */
  async decommission(
    id: string,
    reason: string | null | undefined,
    cancelBookings: boolean,
    identity: Identity | null,
  ): Promise<FederatedInstrument> {
    const { institution, localId } = this.registry.locate(id, 'Instrument', 'id');
    requireInstitutionManager(identity, institution);
    const data = await this.client.request<DecommissionInstrumentData>(
      institution,
      'DecommissionInstrument',
      DECOMMISSION_INSTRUMENT,
      { id: localId, reason: reason ?? null, cancelBookings },
      this.call,
    );
    return { ...data.decommissionInstrument, institutionCode: institution };
  }

  /** Facility office of the owning institution, or ADMIN: listed again. */
  async recommission(id: string, identity: Identity | null): Promise<FederatedInstrument> {
    const { institution, localId } = this.registry.locate(id, 'Instrument', 'id');
    requireInstitutionManager(identity, institution);
    const data = await this.client.request<RecommissionInstrumentData>(
      institution,
      'RecommissionInstrument',
      RECOMMISSION_INSTRUMENT,
      { id: localId },
      this.call,
    );
    return { ...data.recommissionInstrument, institutionCode: institution };
  }

  /** Facility office of the owning institution, or ADMIN: the listing's recorded changes, newest first. */
  async changes(
    instrumentId: string,
    first: number,
    before: string | null | undefined,
    identity: Identity | null,
  ): Promise<FederatedListingChange[]> {
    const { institution, localId } = this.registry.locate(instrumentId, 'Instrument', 'instrumentId');
    requireInstitutionManager(identity, institution);
    const data = await this.client.request<ListingChangesData>(
      institution,
      'ListingChanges',
      LISTING_CHANGES,
      { instrumentId: localId, first, before: before ?? null },
      this.call,
    );
    return data.listingChanges.map((c) => ({ ...c, instrumentId: encodeGlobalId('Instrument', institution, c.instrumentId) }));
  }

  /** Every listed instrument of the institution with its fees, page by page (public listing data). */
  async listed(institution: string): Promise<ExportedInstrument[]> {
    this.member(institution, 'institution');
    const all: ExportedInstrument[] = [];
    let after: string | null = null;
    for (;;) {
      const data: ListedInstrumentsData = await this.client.request<ListedInstrumentsData>(
        institution,
        'ListedInstruments',
        LISTED_INSTRUMENTS,
        { after, first: EXPORT_PAGE },
        this.call,
      );
      all.push(...data.listedInstruments);
      if (data.listedInstruments.length < EXPORT_PAGE) return all;
      after = data.listedInstruments.at(-1)!.id;
    }
  }

  /** Facility office of the institution, or ADMIN: its listings as a Kyoyo CSV that imports back unchanged. */
  async exportKyoyoCsv(institution: string, identity: Identity | null): Promise<string> {
    requireInstitutionManager(identity, institution);
    return formatKyoyoCsv((await this.listed(institution)).map(kyoyoCsvRowOf));
  }

  /**
   * Anyone: the institution's listed instruments as `uniquip` open data. Site Location is the institution's
   * name; Location links to the instrument's (or else the institution's) place on OpenStreetMap.
   */
  async exportUniquip(institution: string): Promise<string> {
    const member = this.registry.get(institution);
    if (!member) throw errors.badInput('institution', `${institution} is not a member institution`);
    const instruments = await this.listed(institution);
    return formatUniquip(
      instruments.map((instrument) => {
        const place = instrument.location ?? member.location;
        return {
          ...uniquipRowOf(instrument, member.name),
          location: place ? `https://www.openstreetmap.org/?mlat=${place.latitude}&mlon=${place.longitude}` : null,
        };
      }),
    );
  }
}
