import type DataLoader from 'dataloader';
import { requireResearcher, requireSignedIn, type Identity } from '@kyoyo/auth';
import {
  checkSharedWith,
  checkWaitable,
  checkWaitPeriod,
  errors,
  userCategoryOf,
  type FeeRate,
  type OpenHoursRule,
} from '@kyoyo/domain';
import { localIdOf } from '../common/ids';
import type { Instrument } from '../instruments/instruments.types';
import type { WaitlistsRepository } from './waitlists.repository';
import type { WaitlistEndReason, WaitlistEntry } from './waitlists.types';

/** A period to wait for, as the GraphQL layer hands it over. */
export interface WaitlistInput {
  instrumentId: string;
  start: Date;
  end: Date;
}

/** Most entries one list answers; a person waiting for more is refused the list (LIMIT_EXCEEDED), never cut short. */
export const MAX_WAITLIST_ENTRIES_PER_LIST = 2000;

const ENDED_BECAUSE: Record<WaitlistEndReason, string> = {
  LEFT: 'you left it',
  STARTED: 'its period has started',
  BOOKED: 'you booked the period',
};

/** The per-request DataLoaders a join reads the instrument through (the booking service's own). */
export interface WaitlistLoaders {
  instrument: DataLoader<number, Instrument | null>;
  openHours: DataLoader<number, OpenHoursRule[]>;
  fees: DataLoader<number, FeeRate[]>;
}

/**
 * The waitlist use cases of one request. A researcher waits for a period of an instrument that someone else's
 * active booking holds; when a cancellation or rejection frees it, the booking path tells those waiting
 * (`waitingFor`, in joining order) and the first to book gets it through `createBooking`, where the exclusion
 * constraint still decides. Waiting ends by itself when the period starts.
 */
export class WaitlistsService {
  constructor(
    /** This institution's code. */
    private readonly institution: string,
    private readonly repository: WaitlistsRepository,
    private readonly loaders: WaitlistLoaders,
    /** The request's clock reading. */
    private readonly now: Date,
  ) {}

  /**
   * Researchers only. The checks of a booking that waiting cannot change, in the order a caller fixes them: a
   * listed instrument (NOT_FOUND), shared with the caller's category (NOT_SHARED), offered to it in some mode
   * (NOT_OFFERED), a period that has not started and could be booked (BAD_USER_INPUT); then, under the
   * instrument lock, a period someone else's active booking holds (SLOT_AVAILABLE when it is free: book it
   * instead), and one the caller does not already wait for (BAD_USER_INPUT).
   */
  async join(input: WaitlistInput, identity: Identity | null): Promise<WaitlistEntry> {
    const who = requireResearcher(identity);
    const instrumentId = localIdOf(input.instrumentId, 'input.instrumentId');
    const [instrument, openHours, schedule] = await Promise.all([
      this.loaders.instrument.load(instrumentId),
      this.loaders.openHours.load(instrumentId),
      this.loaders.fees.load(instrumentId),
    ]);
    if (!instrument) throw errors.notFound('Instrument', 'input.instrumentId');
    const category = userCategoryOf(who, this.institution);
    checkSharedWith(category, instrument.sharedExternally);
    if (!schedule.some((rate) => rate.userCategory === category)) {
      throw errors.notOffered(`This instrument is not offered to ${category} users in any mode`, 'input.instrumentId');
    }
    const period = { start: input.start, end: input.end };
    checkWaitPeriod(period, { openHours, maxBookingMinutes: instrument.maxBookingMinutes }, this.now);
    return this.repository.join({ instrumentId, subject: who.id, period }, who, this.now, (holders) =>
      checkWaitable(holders, who.id),
    );
  }

  /**
   * The waiting person only: ends their entry (LEFT). NOT_FOUND when there is none with this id, FORBIDDEN for
   * someone else's, BAD_USER_INPUT (field id) for one that no longer waits (left, booked, or started).
   */
  async leave(id: string, identity: Identity | null): Promise<WaitlistEntry> {
    const who = requireSignedIn(identity);
    const entryId = localIdOf(id, 'id');
    const found = await this.repository.findById(entryId, this.now);
    if (!found) throw errors.notFound('WaitlistEntry', 'id');
    if (found.subject !== who.id) throw errors.forbidden('Only the person waiting may leave a waitlist');
    const left = await this.repository.leave(entryId, who.id, this.now);
    if (left) return left;
    const reason = (await this.repository.findById(entryId, this.now))?.endReason ?? 'STARTED';
    throw errors.badInput('id', `This entry no longer waits: ${ENDED_BECAUSE[reason]}`);
  }

  /** The caller's entries here that still wait, by start; more than 2000 is LIMIT_EXCEEDED. */
  async mine(identity: Identity | null): Promise<WaitlistEntry[]> {
    const who = requireSignedIn(identity);
    const entries = await this.repository.waitingOf(who.id, this.now, MAX_WAITLIST_ENTRIES_PER_LIST + 1);
    if (entries.length > MAX_WAITLIST_ENTRIES_PER_LIST) {
      throw errors.limitExceeded(`You wait for more than ${MAX_WAITLIST_ENTRIES_PER_LIST} periods here`);
    }
    return entries;
  }
}
