import type { Period } from '@kyoyo/db';
import type { WaitlistEndReason } from '@kyoyo/domain';

export type { WaitlistEndReason } from '@kyoyo/domain';

/** A waitlist entry to store: who waits for which period of which instrument. */
export interface NewWaitlistEntry {
  instrumentId: number;
  subject: string;
  period: Period;
}

/** A waitlist entry as the rules see it. */
export interface WaitlistEntry extends NewWaitlistEntry {
  id: number;
  createdAt: Date;
  endedAt: Date | null;
  endReason: WaitlistEndReason | null;
  /** Waiting: not ended, and the period has not started at the request's "now". */
  active: boolean;
  /**
   * Place in the queue while active: 1 + the active entries of the instrument with an overlapping period that
   * joined before (by created_at, then id); null once it has ended.
   */
  position: number | null;
}

/**
 * One person to tell that a period they wait for was freed, in the order they joined (`waitingFor`).
 * `position` is 1 for the first to have joined among those waiting for the freed period.
 */
export interface WaitingEntry {
  id: number;
  subject: string;
  start: Date;
  end: Date;
  position: number;
}
