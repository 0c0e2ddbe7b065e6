import type { Period } from '@kyoyo/db';

/** A closure of an instrument on top of its open hours (maintenance, repair). */
export interface Blackout {
  id: number;
  instrumentId: number;
  period: Period;
  reason: string | null;
  createdBy: string;
}
