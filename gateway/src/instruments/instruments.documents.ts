/** The operations the gateway sends to equipment services, and the shapes they answer with. */
import type { FeeRate, GeoPoint, OpenHoursRule } from '@kyoyo/domain';

/** Every field the gateway may need of an instrument: one fixed selection, so any page costs one call. */
export const INSTRUMENT_FIELDS = `
  id localId name nameEn category manufacturer model description acquisitionPrice acquiredOn building
  location { latitude longitude }
  sharedExternally remoteOperable requiresApproval requiresQualification maxBookingMinutes
  cancellationFreeHours cancellationFeePercent decommissionedAt
  openHours { weekday opensAt closesAt }
  fees { userCategory mode hourlyRate billingUnitMinutes minimumCharge }`;

/** An instrument as a service returns it (ids are the institution's local ids). */
export interface ServiceInstrument {
  id: string;
  localId: string;
  name: string;
  nameEn: string | null;
  category: string;
  manufacturer: string | null;
  model: string | null;
  description: string | null;
  acquisitionPrice: number | null;
  acquiredOn: string | null;
  building: string | null;
  location: GeoPoint | null;
  sharedExternally: boolean;
  remoteOperable: boolean;
  requiresApproval: boolean;
  requiresQualification: boolean;
  maxBookingMinutes: number;
  cancellationFreeHours: number;
  cancellationFeePercent: number;
  /** RFC 3339; null while listed. */
  decommissionedAt: string | null;
  openHours: OpenHoursRule[];
  fees: FeeRate[];
}

/** Decommissioned instruments included: bookings, qualifications and closures still name them. */
export const INSTRUMENTS_BY_IDS = `query InstrumentsByIds($ids: [ID!]!) {
  instruments(ids: $ids, includeDecommissioned: true) { ${INSTRUMENT_FIELDS} } }`;
export interface InstrumentsByIdsData {
  instruments: (ServiceInstrument | null)[];
}

export const AVAILABILITY_BY_IDS = `query AvailabilityByIds($ids: [ID!]!, $from: DateTime!, $to: DateTime!) {
  instruments(ids: $ids) { id availability(from: $from, to: $to) { start end } } }`;
export interface AvailabilityByIdsData {
  instruments: ({ id: string; availability: { start: string; end: string }[] } | null)[];
}

export const UTILIZATION_BY_IDS = `query UtilizationByIds($ids: [ID!]!, $from: DateTime!, $to: DateTime!) {
  instruments(ids: $ids) { id utilization(from: $from, to: $to) } }`;
export interface UtilizationByIdsData {
  instruments: ({ id: string; utilization: number } | null)[];
}

export const LOCAL_SEARCH = `query LocalSearch($input: LocalSearchInput!) {
  searchInstruments(input: $input) {
    totalCount
    categories { value count }
    hits { score distanceKm availableFrom instrument { ${INSTRUMENT_FIELDS} } }
  } }`;
export interface LocalSearchData {
  searchInstruments: {
    totalCount: number;
    categories: { value: string; count: number }[];
    hits: { score: number; distanceKm: number | null; availableFrom: string | null; instrument: ServiceInstrument }[];
  };
}

export const UPSERT_INSTRUMENT = `mutation UpsertInstrument($input: InstrumentInput!) { upsertInstrument(input: $input) { ${INSTRUMENT_FIELDS} } }`;
export interface UpsertInstrumentData {
  upsertInstrument: ServiceInstrument;
}

export const INSTITUTION_SUMMARY = `query InstitutionSummary { institution { code instrumentCount } }`;
export interface InstitutionSummaryData {
  institution: { code: string; instrumentCount: number };
}
