import type { BookingStatus, OperationMode, UserCategory } from '@kyoyo/domain';
import type { Period } from '@kyoyo/db';

export type { BookingStatus } from '@kyoyo/domain';

/** A booking to store: the fee is already a snapshot, the status already decided. */
export interface NewBooking {
  instrumentId: number;
  requesterId: string;
  requesterOrganization: string;
  requesterInstitution: string | null;
  userCategory: UserCategory;
  mode: OperationMode;
  period: Period;
  status: BookingStatus;
  fee: number;
  fundingSource: string | null;
  purpose: string;
  idempotencyKey: string;
  /** SHA-256 of the canonical create input. */
  requestHash: string;
}

export interface Booking extends NewBooking {
  id: number;
  cancellationFee: number | null;
  createdAt: Date;
  /** Who approved, rejected or recorded the outcome, and when. */
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionNote: string | null;
  cancelledAt: Date | null;
  cancelledBy: string | null;
  cancelReason: string | null;
}

/** What a status change writes besides the status. */
export type BookingChange = Partial<
  Pick<Booking, 'cancellationFee' | 'decidedBy' | 'decidedAt' | 'decisionNote' | 'cancelledAt' | 'cancelledBy' | 'cancelReason'>
> & { status: BookingStatus };

/** Which bookings a list asks for: start in [from, to) (open ends when null), by start then id. */
export interface BookingFilter {
  requesterId?: string;
  statuses?: readonly BookingStatus[] | null;
  from?: Date | null;
  to?: Date | null;
  /** Rows to fetch at most (the service asks one more than it allows, to tell "too many"). */
  limit: number;
}

/** A charged booking with what a usage statement shows of it. */
export interface UsageRow {
  bookingId: number;
  instrumentId: number;
  instrumentName: string;
  requesterId: string;
  requesterOrganization: string;
  requesterInstitution: string | null;
  fundingSource: string | null;
  start: Date;
  end: Date;
  status: BookingStatus;
  userCategory: UserCategory;
  mode: OperationMode;
  fee: number;
  cancellationFee: number | null;
}

/** A user's qualification for SELF use of an instrument, as stored. */
export interface Qualification {
  instrumentId: number;
  userId: string;
  /** Last valid day (Asia/Tokyo), inclusive; null: no expiry. */
  expiresOn: string | null;
  grantedBy: string;
  grantedAt: Date;
  revokedAt: Date | null;
}
