import type DataLoader from 'dataloader';
import { requireInstitutionManager, type Identity } from '@kyoyo/auth';
import {
  DomainError,
  errors,
  OPERATION_MODES,
  optionalNote,
  USER_CATEGORIES,
  type FeeRate,
  type UserCategory,
} from '@kyoyo/domain';
import { KYOYO_CSV_LIMITS, parseKyoyoCsv, type KyoyoCsvRow } from '@kyoyo/listings';
import { localIdOf } from '../common/ids';
import { searchColumnsOf } from '@kyoyo/domain';
import { listingLocalId, toListing, type InstrumentInput } from '../instruments/instruments.service';
import type { Instrument, InstrumentListing } from '../instruments/instruments.types';
import type { ListingWrite, ListingsRepository } from './listings.repository';
import type { ChangeSet, ImportReport, ImportRowError, ListingChange, StoredListing } from './listings.types';

/** Most changes one history request returns. */
export const MAX_CHANGES_PAGE = 500;

/** Most listings one export page holds. */
export const MAX_EXPORT_PAGE = 2000;

/** The CSV fee column of each user category: the hourly `SELF` rate. */
const FEE_FIELDS: readonly [UserCategory, 'feeInternal' | 'feeAcademic' | 'feeIndustry', string][] = [
  ['INTERNAL', 'feeInternal', 'fee_internal'],
  ['ACADEMIC', 'feeAcademic', 'fee_academic'],
  ['INDUSTRY', 'feeIndustry', 'fee_industry'],
];

/** A fee schedule in one order (category, then mode), so that two schedules compare as JSON. */
function canonicalFees(fees: readonly FeeRate[]): FeeRate[] {
  return [...fees]
    .map(({ userCategory, mode, hourlyRate, billingUnitMinutes, minimumCharge }) => ({
      userCategory,
      mode,
      hourlyRate,
      billingUnitMinutes,
      minimumCharge,
    }))
    .sort(
      (a, b) =>
        USER_CATEGORIES.indexOf(a.userCategory) - USER_CATEGORIES.indexOf(b.userCategory) ||
        OPERATION_MODES.indexOf(a.mode) - OPERATION_MODES.indexOf(b.mode),
    );
}

/**
 * The schedule after a CSV row's fee columns: each column present sets (a number) or withdraws (empty) its
 * category's hourly `SELF` rate; a new rate bills by the hour with no minimum, an existing one keeps its
 * billing unit and minimum charge; other modes are untouched. Undefined when the file has no fee column.
 */
export function scheduleAfterRow(current: readonly FeeRate[], row: KyoyoCsvRow): FeeRate[] | undefined {
  if (FEE_FIELDS.every(([, field]) => row[field] === undefined)) return undefined;
  const fees = [...current];
  for (const [userCategory, field] of FEE_FIELDS) {
    const value = row[field];
    if (value === undefined) continue;
    const at = fees.findIndex((f) => f.userCategory === userCategory && f.mode === 'SELF');
    if (value === null) {
      if (at >= 0) fees.splice(at, 1);
    } else if (at >= 0) {
      fees[at] = { ...fees[at]!, hourlyRate: value };
    } else {
      fees.push({ userCategory, mode: 'SELF', hourlyRate: value, billingUnitMinutes: 60, minimumCharge: 0 });
    }
  }
  return canonicalFees(fees);
}

/** A problem with a row that names its column. */
class RowFault extends Error {
  constructor(
    readonly column: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The listing input of a CSV row on top of the listing it updates: a column the file leaves out keeps the
 * listing's value (or the default, for a new listing); an empty cell clears it. Settings the CSV has no
 * column for (booking length, cancellation terms, other fee modes, open hours) stay as they are.
 */
export function inputFromRow(row: KyoyoCsvRow, current: StoredListing | null): InstrumentInput {
  const was = current?.instrument ?? null;
  const keep = <T>(value: T | null | undefined, before: T | null): T | null => (value === undefined ? before : value);
  const flag = (value: boolean | null | undefined, before: boolean | undefined): boolean =>
    value === undefined ? (before ?? false) : (value ?? false);
  const latitude = keep(row.latitude, was?.location?.latitude ?? null);
  const longitude = keep(row.longitude, was?.location?.longitude ?? null);
  if ((latitude === null) !== (longitude === null)) {
    const missing = latitude === null ? 'latitude' : 'longitude';
    throw new RowFault(missing, `latitude and longitude go together: ${missing} is missing`);
  }
  const fees = scheduleAfterRow(current?.fees ?? [], row);
  return {
    localId: row.localId ?? '',
    name: row.name ?? '',
    category: row.category ?? '',
    nameEn: keep(row.nameEn, was?.nameEn ?? null),
    manufacturer: keep(row.manufacturer, was?.manufacturer ?? null),
    model: keep(row.model, was?.model ?? null),
    description: keep(row.description, was?.description ?? null),
    acquisitionPrice: keep(row.acquisitionPrice, was?.acquisitionPrice ?? null),
    acquiredOn: keep(row.acquiredOn, was?.acquiredOn ?? null),
    building: keep(row.building, was?.building ?? null),
    location: latitude !== null && longitude !== null ? { latitude, longitude } : null,
    sharedExternally: flag(row.sharedExternally, was?.sharedExternally),
    remoteOperable: flag(row.remoteOperable, was?.remoteOperable),
    requiresApproval: flag(row.requiresApproval, was?.requiresApproval),
    requiresQualification: flag(row.requiresQualification, was?.requiresQualification),
    maxBookingMinutes: was?.maxBookingMinutes ?? null,
    cancellationFreeHours: was?.cancellationFreeHours ?? null,
    cancellationFeePercent: was?.cancellationFeePercent ?? null,
    ...(fees ? { fees } : {}),
  };
}

/** The CSV column a `toListing` error field names (`input.location.latitude` → `latitude`, a fee → its category's column). */
function columnOfField(field: string | undefined, input: InstrumentInput): string | null {
  if (!field) return null;
  const fee = /^input\.fees\[(\d+)\]/.exec(field);
  if (fee) {
    const category = input.fees?.[Number(fee[1])]?.userCategory;
    return FEE_FIELDS.find(([c]) => c === category)?.[2] ?? null;
  }
  const last =
    field
      .replace(/^input\./, '')
      .split('.')
      .pop() ?? '';
  return last.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The listing fields a change record compares, in the order it lists them. */
const COMPARED: readonly (keyof InstrumentListing & keyof Instrument)[] = [
  'name',
  'nameEn',
  'category',
  'manufacturer',
  'model',
  'description',
  'acquisitionPrice',
  'acquiredOn',
  'building',
  'location',
  'sharedExternally',
  'remoteOperable',
  'requiresApproval',
  'requiresQualification',
  'maxBookingMinutes',
  'cancellationFreeHours',
  'cancellationFeePercent',
];

/** Field by field, what writing `after` over `before` changes (every given field for a new listing). */
export function changesBetween(before: StoredListing | null, after: InstrumentListing): ChangeSet {
  const changes: ChangeSet = {};
  for (const field of COMPARED) {
    const from = before ? (before.instrument[field] ?? null) : null;
    const to = after[field] ?? null;
    if (JSON.stringify(from) !== JSON.stringify(to)) changes[field] = { from, to };
  }
  if (after.fees) {
    const from = canonicalFees(before?.fees ?? []);
    const to = canonicalFees(after.fees);
    if (JSON.stringify(from) !== JSON.stringify(to)) changes.fees = { from, to };
  }
  return changes;
}

function decommissionedMessage(localId: string, at: Date): string {
  return `${localId} names an instrument decommissioned on ${at.toISOString().slice(0, 10)}; recommission it first (recommissionInstrument)`;
}

/** An office's work on its listings: single upserts, CSV imports, decommissioning, history and export. */
export class ListingsService {
  constructor(
    private readonly institution: string,
    private readonly repository: ListingsRepository,
    private readonly loaders: {
      instrument: DataLoader<number, Instrument | null>;
      fees: DataLoader<number, FeeRate[]>;
    },
    /** The request's clock reading. */
    private readonly now: Date,
  ) {}

  /**
   * Facility office of this institution, or ADMIN: creates or updates the listing with `input.localId`.
   * Booking length and cancellation terms left out keep their values (defaults for a new listing); fees
   * replace the schedule when given. A write that changes nothing records nothing.
   */
  async upsert(input: InstrumentInput, identity: Identity | null): Promise<Instrument> {
    const who = requireInstitutionManager(identity, this.institution);
    const localId = listingLocalId(input.localId, 'input.localId');
    const instrument = await this.repository.withLockedListings([localId], async (current, write) => {
      const stored = current.get(localId) ?? null;
      if (stored?.decommissionedAt)
        throw errors.badInput('input.localId', decommissionedMessage(localId, stored.decommissionedAt));
      const listing = toListing({
        ...input,
        maxBookingMinutes: input.maxBookingMinutes ?? stored?.instrument.maxBookingMinutes,
        cancellationFreeHours: input.cancellationFreeHours ?? stored?.instrument.cancellationFreeHours,
        cancellationFeePercent: input.cancellationFeePercent ?? stored?.instrument.cancellationFeePercent,
      });
      const changes = changesBetween(stored, listing);
      if (stored && Object.keys(changes).length === 0) return stored.instrument;
      const [written] = await write(
        [{ listing, search: searchColumnsOf(listing), action: stored ? 'UPDATED' : 'CREATED', changes }],
        { changedBy: who.id, via: 'upsertInstrument' },
      );
      return written!;
    });
    this.loaders.instrument.clear(instrument.id).prime(instrument.id, instrument);
    this.loaders.fees.clear(instrument.id);
    return instrument;
  }

  /**
   * Facility office of this institution, or ADMIN: a Kyoyo CSV upserted by `local_id`, all or nothing. Every
   * bad row is reported (row, line, column) and then nothing is written; a dry run writes nothing either.
   * The counts say what the import did, or in a dry run what it would do for the rows without errors; a
   * failed real import counts nothing. Rows equal to their listing are `unchanged` and not written.
   */
  async import(csv: string, dryRun: boolean, identity: Identity | null): Promise<ImportReport> {
    const who = requireInstitutionManager(identity, this.institution);
    const bytes = Buffer.byteLength(csv, 'utf8');
    if (bytes > KYOYO_CSV_LIMITS.bytes) {
      throw errors.limitExceeded(
        `The CSV holds ${bytes} bytes; an import takes at most ${KYOYO_CSV_LIMITS.bytes} (10 MiB): split the file`,
        'csv',
      );
    }
    const file = parseKyoyoCsv(csv);
    if (file.rowCount > KYOYO_CSV_LIMITS.rows) {
      throw errors.limitExceeded(
        `The CSV holds ${file.rowCount} rows; an import takes at most ${KYOYO_CSV_LIMITS.rows}: split the file`,
        'csv',
      );
    }
    const rowErrors: ImportRowError[] = [...file.errors];
    const firstRowOf = new Map<string, number>();
    const rows = file.rows.filter(({ row, line, values }) => {
      let localId: string;
      try {
        localId = listingLocalId(values.localId ?? '', 'local_id');
      } catch {
        return true; // reported with the row's other faults below
      }
      const first = firstRowOf.get(localId);
      if (first === undefined) {
        firstRowOf.set(localId, row);
        return true;
      }
      rowErrors.push({ row, line, column: 'local_id', message: `local_id ${localId} repeats row ${first}` });
      return false;
    });

    return this.repository.withLockedListings([...firstRowOf.keys()], async (current, write) => {
      const writes: ListingWrite[] = [];
      let unchanged = 0;
      for (const { row, line, values } of rows) {
        let input: InstrumentInput | null = null;
        try {
          const stored = current.get(values.localId?.trim() ?? '') ?? null;
          if (stored?.decommissionedAt) {
            throw new RowFault('local_id', decommissionedMessage(stored.instrument.localId, stored.decommissionedAt));
          }
          input = inputFromRow(values, stored);
          const listing = toListing(input);
          const changes = changesBetween(stored, listing);
          if (stored && Object.keys(changes).length === 0) unchanged += 1;
          else writes.push({ listing, search: searchColumnsOf(listing), action: stored ? 'UPDATED' : 'CREATED', changes });
        } catch (fault) {
          if (fault instanceof RowFault) {
            rowErrors.push({ row, line, column: fault.column, message: fault.message });
          } else if (fault instanceof DomainError) {
            const column = input ? columnOfField(fault.field, input) : null;
            const message = fault.field && column ? fault.message.replaceAll(fault.field, column) : fault.message;
            rowErrors.push({ row, line, column, message });
          } else {
            throw fault;
          }
        }
      }
      rowErrors.sort((a, b) => a.row - b.row);
      const created = writes.filter((w) => w.action === 'CREATED').length;
      const report = { dryRun, created, updated: writes.length - created, unchanged, errors: rowErrors };
      if (rowErrors.length > 0) return dryRun ? report : { ...report, created: 0, updated: 0, unchanged: 0 };
      if (!dryRun && writes.length > 0) await write(writes, { changedBy: who.id, via: 'importInstruments' });
      return report;
    });
  }

  /**
   * Facility office of this institution, or ADMIN: takes the instrument out of search, duplicate checks and
   * sharing reports; its bookings and history stay. Active bookings that start later are in the way unless
   * `cancelBookings`, which cancels them free of charge. Decommissioning twice changes nothing.
   */
  async decommission(
    id: string,
    reason: string | null | undefined,
    cancelBookings: boolean,
    identity: Identity | null,
  ): Promise<Instrument> {
    const who = requireInstitutionManager(identity, this.institution);
    const instrumentId = localIdOf(id, 'id');
    const note = optionalNote(reason, 'reason');
    const result = await this.repository.setDecommissioned(
      instrumentId,
      { at: this.now, reason: note, now: this.now, cancelFuture: cancelBookings },
      { changedBy: who.id, via: 'decommissionInstrument' },
    );
    if (!result) throw errors.notFound('Instrument', 'id');
    if ('blockedBy' in result) {
      throw errors.badInput(
        'cancelBookings',
        `${result.blockedBy} active booking(s) of this instrument start later; cancel or reject them first, or pass cancelBookings: true to cancel them free of charge`,
      );
    }
    this.loaders.instrument.clear(instrumentId);
    return result.instrument;
  }

  /** Facility office of this institution, or ADMIN: lists a decommissioned instrument again. */
  async recommission(id: string, identity: Identity | null): Promise<Instrument> {
    const who = requireInstitutionManager(identity, this.institution);
    const instrumentId = localIdOf(id, 'id');
    const result = await this.repository.setDecommissioned(
      instrumentId,
      { at: null, reason: null, now: this.now, cancelFuture: false },
      { changedBy: who.id, via: 'recommissionInstrument' },
    );
    if (!result || 'blockedBy' in result) throw errors.notFound('Instrument', 'id');
    this.loaders.instrument.clear(instrumentId);
    return result.instrument;
  }

  /** Facility office of this institution, or ADMIN: the instrument's recorded changes, newest first. */
  async changes(
    instrumentId: string,
    first: number,
    before: string | null | undefined,
    identity: Identity | null,
  ): Promise<ListingChange[]> {
    requireInstitutionManager(identity, this.institution);
    const id = localIdOf(instrumentId, 'instrumentId');
    if (!Number.isInteger(first) || first < 1 || first > MAX_CHANGES_PAGE) {
      throw errors.badInput('first', `first must be from 1 to ${MAX_CHANGES_PAGE}`);
    }
    const beforeId = before === null || before === undefined ? null : localIdOf(before, 'before');
    if (!(await this.repository.exists(id))) throw errors.notFound('Instrument', 'instrumentId');
    return this.repository.changes(id, first, beforeId);
  }

  /** Listed instruments with fee schedules, by id, after `after` (a local id) — public listing data, for exports. */
  async listed(after: string | null | undefined, first: number): Promise<Instrument[]> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_EXPORT_PAGE) {
      throw errors.badInput('first', `first must be from 1 to ${MAX_EXPORT_PAGE}`);
    }
    const afterId = after === null || after === undefined ? 0 : localIdOf(after, 'after');
    const page = await this.repository.listedPage(afterId, first);
    for (const { instrument, fees } of page) {
      this.loaders.instrument.prime(instrument.id, instrument);
      this.loaders.fees.prime(instrument.id, fees);
    }
    return page.map((p) => p.instrument);
  }
}
