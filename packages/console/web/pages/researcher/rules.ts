/**
 * The booking rules the researcher's pages show before the server applies them: which user category and
 * hourly fee apply to me (CONTRACT.md: token claims), and what cancelling a booking now would cost
 * (DOMAIN.md: cancellation). The server stays the authority; these only inform.
 */
import type { UserCategory, Viewer } from '../../session';
import { userCategoryAt } from '../../session';
import type { Booking, FeeRate, OperationMode } from './model';

/** Why a user has the category they have at an institution (shown beside the fee table). */
export type CategoryReason = 'anonymous' | 'home' | 'industry' | 'academic';

export function categoryReason(viewer: Viewer | null, institutionCode: string): CategoryReason {
  if (!viewer) return 'anonymous';
  const category = userCategoryAt(viewer, institutionCode);
  return category === 'INTERNAL' ? 'home' : category === 'INDUSTRY' ? 'industry' : 'academic';
}

/** The hourly rate of one category and mode, or null when that combination is not offered. */
export function hourlyRate(fees: FeeRate[], category: UserCategory, mode: OperationMode = 'SELF'): number | null {
  return fees.find((f) => f.userCategory === category && f.mode === mode)?.hourlyRate ?? null;
}

const HOUR_MS = 3_600_000;

/** A requester may cancel an active booking that has not started. */
export function canCancel(booking: Pick<Booking, 'status' | 'start'>, now: Date): boolean {
  return (booking.status === 'PENDING' || booking.status === 'CONFIRMED') && Date.parse(booking.start) > now.getTime();
}

export interface CancellationPreview {
  /** What cancelling at `now` would charge, in whole yen. */
  fee: number;
  /** Until this instant (inclusive) cancelling is free. */
  freeUntil: Date;
  /** A pending booking is never charged. */
  pending: boolean;
}

/**
 * What the requester would pay for cancelling now: nothing for a pending booking or until
 * `cancellationFreeHours` before the start; later `ceil(fee × cancellationFeePercent / 100)`.
 */
export function previewCancellation(
  booking: Pick<Booking, 'status' | 'start' | 'fee' | 'instrument'>,
  now: Date,
): CancellationPreview {
  const freeUntil = new Date(Date.parse(booking.start) - booking.instrument.cancellationFreeHours * HOUR_MS);
  const pending = booking.status === 'PENDING';
  const late = now.getTime() > freeUntil.getTime();
  const fee = pending || !late ? 0 : Math.ceil((booking.fee * booking.instrument.cancellationFeePercent) / 100);
  return { fee, freeUntil, pending };
}
