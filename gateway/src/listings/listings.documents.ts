/** The listing operations the gateway sends to equipment services, and the shapes they answer with. */
import { INSTRUMENT_FIELDS, type ServiceInstrument } from '../instruments/instruments.documents';

export interface ServiceImportReport {
  dryRun: boolean;
  created: number;
  updated: number;
  unchanged: number;
  errors: { row: number; line: number; column: string | null; message: string }[];
}

export const IMPORT_INSTRUMENTS = `mutation ImportInstruments($csv: String!, $dryRun: Boolean!) {
  importInstruments(csv: $csv, dryRun: $dryRun) { dryRun created updated unchanged errors { row line column message } } }`;
export interface ImportInstrumentsData {
  importInstruments: ServiceImportReport;
}

export const DECOMMISSION_INSTRUMENT = `mutation DecommissionInstrument($id: ID!, $reason: String, $cancelBookings: Boolean!) {
  decommissionInstrument(id: $id, reason: $reason, cancelBookings: $cancelBookings) { ${INSTRUMENT_FIELDS} } }`;
export interface DecommissionInstrumentData {
  decommissionInstrument: ServiceInstrument;
}

export const RECOMMISSION_INSTRUMENT = `mutation RecommissionInstrument($id: ID!) { recommissionInstrument(id: $id) { ${INSTRUMENT_FIELDS} } }`;
export interface RecommissionInstrumentData {
  recommissionInstrument: ServiceInstrument;
}

export interface ServiceListingChange {
  id: string;
  instrumentId: string;
  changedAt: string;
  changedBy: string;
  action: string;
  via: string;
  changes: { field: string; from: string | null; to: string | null }[];
}

export const LISTING_CHANGES = `query ListingChanges($instrumentId: ID!, $first: Int!, $before: ID) {
  listingChanges(instrumentId: $instrumentId, first: $first, before: $before) {
    id instrumentId changedAt changedBy action via changes { field from to } } }`;
export interface ListingChangesData {
  listingChanges: ServiceListingChange[];
}

/** What an export reads of each listed instrument: the listing and its fees, not its booking settings. */
export type ExportedInstrument = Omit<
  ServiceInstrument,
  'maxBookingMinutes' | 'cancellationFreeHours' | 'cancellationFeePercent' | 'decommissionedAt' | 'openHours'
>;

export const LISTED_INSTRUMENTS = `query ListedInstruments($after: ID, $first: Int!) {
  listedInstruments(after: $after, first: $first) {
    id localId name nameEn category manufacturer model description acquisitionPrice acquiredOn building
    location { latitude longitude } sharedExternally remoteOperable requiresApproval requiresQualification
    fees { userCategory mode hourlyRate billingUnitMinutes minimumCharge } } }`;
export interface ListedInstrumentsData {
  listedInstruments: ExportedInstrument[];
}
