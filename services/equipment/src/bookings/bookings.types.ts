import type { OperationMode, UserCategory } from '@kyoyo/domain';
import type { Period } from '@kyoyo/db';

export type BookingStatus = 'PENDING' | 'CONFIRMED' | 'REJECTED' | 'CANCELLED' | 'COMPLETED' | 'NO_SHOW';

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
}
