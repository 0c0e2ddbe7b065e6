/** What the office pages read of the API: listings, fee rates, bookings, import reports, and their selections. */
import type { UserCategory } from '../../session';

export type { UserCategory };
export type OperationMode = 'SELF' | 'ASSISTED' | 'DELEGATED';
export type BookingStatus = 'PENDING' | 'CONFIRMED' | 'REJECTED' | 'CANCELLED' | 'COMPLETED' | 'NO_SHOW';

export const USER_CATEGORIES: UserCategory[] = ['INTERNAL', 'ACADEMIC', 'INDUSTRY'];
export const OPERATION_MODES: OperationMode[] = ['SELF', 'ASSISTED', 'DELEGATED'];

export interface FeeRate {
  userCategory: UserCategory;
  mode: OperationMode;
  hourlyRate: number;
  billingUnitMinutes: number;
  minimumCharge: number;
}

/** A listing as the office sees and edits it. */
export interface Listing {
  id: string;
  /** The institution's own number for it: the upsert key of `upsertInstrument` and of the CSV's `local_id`. */
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
  location: { latitude: number; longitude: number } | null;
  sharedExternally: boolean;
  remoteOperable: boolean;
  requiresApproval: boolean;
  requiresQualification: boolean;
  maxBookingMinutes: number;
  cancellationFreeHours: number;
  cancellationFeePercent: number;
  decommissionedAt: string | null;
  fees: FeeRate[];
}

export const LISTING_FIELDS = `id localId name nameEn category manufacturer model description acquisitionPrice acquiredOn building
  location { latitude longitude } sharedExternally remoteOperable requiresApproval requiresQualification
  maxBookingMinutes cancellationFreeHours cancellationFeePercent decommissionedAt
  fees { userCategory mode hourlyRate billingUnitMinutes minimumCharge }`;

/** One page of the institution's listings. */
export interface ListingPage {
  searchInstruments: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: Listing }[];
  };
}

/** A booking as the approvals queue shows it. */
export interface OfficeBooking {
  id: string;
  instrument: { id: string; name: string };
  requesterId: string;
  requesterOrganization: string;
  requesterInstitution: { code: string; name: string } | null;
  userCategory: UserCategory;
  start: string;
  end: string;
  mode: OperationMode;
  status: BookingStatus;
  fee: number;
  fundingSource: string | null;
  purpose: string;
  createdAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
}

export const BOOKING_FIELDS = `id instrument { id name } requesterId requesterOrganization
  requesterInstitution { code name } userCategory start end mode status fee fundingSource purpose createdAt
  decidedBy decidedAt decisionNote`;

export interface ImportRowError {
  row: number;
  line: number;
  column: string | null;
  message: string;
}

export interface ImportReport {
  dryRun: boolean;
  created: number;
  updated: number;
  unchanged: number;
  errors: ImportRowError[];
}
