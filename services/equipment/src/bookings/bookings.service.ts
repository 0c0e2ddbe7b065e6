import { createHash } from 'node:crypto';
import type DataLoader from 'dataloader';
import { requireBookingParty, requireInstitutionManager, requireResearcher, requireSignedIn, type Identity } from '@kyoyo/auth';
import {
  checkSharedWith,
  cancellationCharge,
  canonicalBookingRequest,
  chargedAmount,
  checkBookingPeriod,
  checkBookingTexts,
  checkDecision,
  checkIdempotencyKey,
  checkOutcome,
  checkPeriodOrder,
  checkQualification,
  DomainError,
  durationMinutes,
  ErrorCode,
  errors,
  groupUsage,
  optionalNote,
  quoteFee,
  tokyoMonthRange,
  userCategoryOf,
  type BookingOutcome,
  type BookingRequest,
  type FeeLine,
  type FeeRate,
  type OpenHoursRule,
  type OperationMode,
  type UsageGroup,
  type UserCategory,
  type Yen,
} from '@kyoyo/domain';
import { localIdOf } from '../common/ids';
import type { Instrument } from '../instruments/instruments.types';
import type { BookingNotices } from '../notifications/booking-notices';
import { endWaitsFulfilledBy } from '../waitlists/waitlists.repository';
import type { BookingsRepository } from './bookings.repository';
import type { Booking, BookingStatus, UsageRow } from './bookings.types';
import type { QualificationsRepository } from './qualifications.repository';

/** A booking to quote or make, as the GraphQL layer hands it over. */
export interface BookingInput {
  instrumentId: string;
  start: Date;
  end: Date;
  mode: OperationMode;
  purpose: string;
  fundingSource?: string | null;
}

/** What a booking would cost the caller. */
export interface Quote {
  instrumentId: number;
  userCategory: UserCategory;
  mode: OperationMode;
  billableMinutes: number;
  amount: Yen;
  lines: FeeLine[];
  currency: 'JPY';
}

/** One line of a usage statement: a charged booking and what it is charged. */
export type UsageLine = UsageRow & { amount: Yen };

/** What each requesting organisation owes for one month. */
export interface UsageStatement {
  month: string;
  groups: UsageGroup<UsageLine>[];
  total: Yen;
}

/** Most bookings one list answers; a wider question is refused (LIMIT_EXCEEDED), never cut short. */
export const MAX_BOOKINGS_PER_LIST = 2000;

/** Attempts at a cancellation whose booking keeps changing under it (statuses only move forward). */
const CANCEL_ATTEMPTS = 3;

/** The per-request DataLoaders bookings read instruments through. */
export interface BookingLoaders {
  instrument: DataLoader<number, Instrument | null>;
  openHours: DataLoader<number, OpenHoursRule[]>;
  fees: DataLoader<number, FeeRate[]>;
}

/** Hears what happens to bookings: the service's metrics (`createEquipmentApp` sets it on every request's service). */
export interface BookingEvents {
  /** A booking was stored. */
  created(booking: Booking): void;
  /** A retry was answered with the booking its idempotency key had already made. */
  replayed(): void;
  /** Storing a booking was refused with `SLOT_UNAVAILABLE`: another booking or a closure holds part of its period. */
  conflict(): void;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The booking use cases of one request. Every rule comes from `@kyoyo/domain`; SQL from the repositories. */
export class BookingsService {
  /** Where bookings made, replayed and refused for a taken slot are reported (nowhere when unset). */
  events: BookingEvents | undefined;

  constructor(
    /** This institution's code. */
    private readonly institution: string,
    private readonly repository: BookingsRepository,
    private readonly qualifications: QualificationsRepository,
    private readonly loaders: BookingLoaders,
    /** The request's clock reading: every rule of one request sees the same "now". */
    private readonly now: Date,
    /** Writes the messages of what happens to bookings, in the same transaction (none: no messages). */
    private readonly notices: BookingNotices | null = null,
  ) {}

  /**
   * The caller's price for a booking, with every check of `create` except availability and qualification:
   * a researcher, a listed instrument shared with the caller's category, a valid period, an offered rate.
   */
  async quote(input: BookingInput, identity: Identity | null): Promise<Quote> {
    const who = requireResearcher(identity);
    const request = this.requestOf(input);
    const { quote } = await this.price(request, who);
    return { instrumentId: request.instrumentId, ...quote, currency: 'JPY' };
  }

  /**
   * Books at the caller's price. A request whose requester and idempotency key already made a booking is
   * answered with that booking as it now stands, without checking anything else again (its slot, its start
   * now being past, the instrument's settings): a retry must never fail because its first attempt
   * succeeded. The same key with other input is `IDEMPOTENCY_CONFLICT`.
   */
  async create(input: BookingInput, idempotencyKey: string, identity: Identity | null): Promise<Booking> {
    const who = requireResearcher(identity);
    const key = checkIdempotencyKey(idempotencyKey);
    const request = this.requestOf(input);
    const requestHash = sha256(canonicalBookingRequest(request));
    const [earlier, priced] = await Promise.allSettled([this.repository.findByKey(who.id, key), this.price(request, who)]);
    if (earlier.status === 'rejected') throw earlier.reason;
    if (earlier.value) {
      if (earlier.value.requestHash !== requestHash) throw errors.idempotencyConflict();
      this.events?.replayed();
      return earlier.value;
    }
    if (priced.status === 'rejected') throw priced.reason;
    const { instrument, category, quote } = priced.value;
    if (instrument.requiresQualification && request.mode === 'SELF') {
      checkQualification(true, request.mode, await this.qualifications.find(instrument.id, who.id), request.start);
    }
    return this.store(who, instrument.name, {
      instrumentId: instrument.id,
      requesterId: who.id,
      requesterOrganization: who.organization ?? who.institution ?? who.id,
      requesterInstitution: who.institution,
      userCategory: category,
      mode: request.mode,
      period: { start: request.start, end: request.end },
      status: instrument.requiresApproval ? 'PENDING' : 'CONFIRMED',
      fee: quote.amount,
      fundingSource: request.fundingSource,
      purpose: request.purpose,
      idempotencyKey: key,
      requestHash,
    });
  }

  /** The requester, this institution's facility office or ADMIN; null when no booking has this id. */
  async get(id: string, identity: Identity | null): Promise<Booking | null> {
    const who = requireSignedIn(identity);
    const booking = await this.repository.findById(localIdOf(id, 'id'));
    if (!booking) return null;
    requireBookingParty(who, { requesterId: booking.requesterId, institution: this.institution });
    return booking;
  }

  /** The caller's own bookings here starting in [from, to) (open ends when omitted), by start. */
  async mine(from: Date | null | undefined, to: Date | null | undefined, identity: Identity | null): Promise<Booking[]> {
    const who = requireSignedIn(identity);
    checkPeriodOrder(from, to);
    return this.listAtMost({ requesterId: who.id, from, to });
  }

  /**
   * Facility office: bookings starting in [from, to) with one of `statuses` (all when null; none for an
   * empty list), by start then id; more than 2000 is `LIMIT_EXCEEDED` (field `from`).
   */
  async list(
    statuses: BookingStatus[] | null | undefined,
    from: Date | null | undefined,
    to: Date | null | undefined,
    identity: Identity | null,
  ): Promise<Booking[]> {
    requireInstitutionManager(identity, this.institution);
    checkPeriodOrder(from, to);
    if (statuses && statuses.length === 0) return [];
    return this.listAtMost({ statuses: statuses ?? null, from, to });
  }

  /**
   * The requester (who pays the instrument's late-cancellation fee for a CONFIRMED booking) or the
   * facility office (free) cancels a PENDING or CONFIRMED booking before its start. The change is a
   * conditional UPDATE on the status read; if another change won meanwhile, the booking is read again and
   * the rules applied to what it has become.
   */
  async cancel(id: string, reason: string | null | undefined, identity: Identity | null): Promise<Booking> {
    const who = requireSignedIn(identity);
    const bookingId = localIdOf(id, 'id');
    const cancelReason = optionalNote(reason, 'reason');
    const notices = this.notices;
    for (let attempt = 1; ; attempt++) {
      const found = await this.repository.findWithPolicy(bookingId);
      if (!found) throw errors.notFound('Booking', 'id');
      const { booking, policy } = found;
      requireBookingParty(who, { requesterId: booking.requesterId, institution: this.institution });
      const state = { status: booking.status, start: booking.period.start, fee: booking.fee };
      const fee = cancellationCharge(state, who.id === booking.requesterId, policy, this.now);
      const cancelled = await this.repository.transition(
        bookingId,
        booking.status,
        {
          status: 'CANCELLED',
          cancellationFee: fee,
          cancelledAt: this.now,
          cancelledBy: who.id,
          cancelReason,
        },
        notices ? (tx, made) => notices.cancelled(tx, made, who, this.now) : undefined,
      );
      if (cancelled) return cancelled;
      if (attempt === CANCEL_ATTEMPTS) throw errors.badInput('id', 'The booking keeps changing; try again');
    }
  }

  /** Facility office: approves (CONFIRMED) or rejects (REJECTED, slot freed) a PENDING booking. */
  async decide(id: string, approve: boolean, note: string | null | undefined, identity: Identity | null): Promise<Booking> {
    const who = requireInstitutionManager(identity, this.institution);
    const bookingId = localIdOf(id, 'id');
    const decisionNote = optionalNote(note, 'note');
    const notices = this.notices;
    const check = (booking: Booking) => checkDecision({ status: booking.status, start: booking.period.start }, approve, this.now);
    const booking = await this.found(bookingId);
    check(booking);
    const decided = await this.repository.transition(
      bookingId,
      'PENDING',
      {
        status: approve ? 'CONFIRMED' : 'REJECTED',
        decidedBy: who.id,
        decidedAt: this.now,
        decisionNote,
      },
      notices ? (tx, made) => notices.decided(tx, made, this.now) : undefined,
    );
    return decided ?? this.lostRace(bookingId, check);
  }

  /** Facility office: COMPLETED or NO_SHOW (both charged in full) for a CONFIRMED booking that has started. */
  async recordOutcome(
    id: string,
    outcome: BookingOutcome,
    note: string | null | undefined,
    identity: Identity | null,
  ): Promise<Booking> {
    const who = requireInstitutionManager(identity, this.institution);
    const bookingId = localIdOf(id, 'id');
    const decisionNote = optionalNote(note, 'note');
    const check = (booking: Booking) => checkOutcome({ status: booking.status, start: booking.period.start }, this.now);
    const booking = await this.found(bookingId);
    check(booking);
    const recorded = await this.repository.transition(bookingId, 'CONFIRMED', {
      status: outcome,
      decidedBy: who.id,
      decidedAt: this.now,
      decisionNote,
    });
    return recorded ?? this.lostRace(bookingId, check);
  }

  /**
   * Facility office: the charged bookings that start in `month` (Asia/Tokyo), grouped by requesting
   * organisation, institution and funding source. One query.
   */
  async usageStatement(month: string, identity: Identity | null): Promise<UsageStatement> {
    requireInstitutionManager(identity, this.institution);
    const range = tokyoMonthRange(month);
    const rows = await this.repository.usageRows(range);
    const lines = rows.flatMap((row): UsageLine[] => {
      const amount = chargedAmount(row);
      return amount === null ? [] : [{ ...row, amount }];
    });
    return { month, ...groupUsage(lines) };
  }

  private requestOf(input: BookingInput): BookingRequest {
    return {
      instrumentId: localIdOf(input.instrumentId, 'input.instrumentId'),
      start: input.start,
      end: input.end,
      mode: input.mode,
      ...checkBookingTexts(input),
    };
  }

  /**
   * Stores a booking through the repository and reports what happened to `events`: made, replayed (the
   * repository found its key's booking), or refused for a taken slot.
   */
  private async store(
    who: Identity,
    instrumentName: string,
    booking: Parameters<BookingsRepository['create']>[0],
  ): Promise<Booking> {
    const notices = this.notices;
    try {
      // In the booking's transaction: the requester's own waits for this period end (they have it now), and
      // the messages it calls for are written.
      const { booking: stored, replayed } = await this.repository.create(booking, async (tx, made) => {
        await endWaitsFulfilledBy(tx, made, this.now);
        await notices?.booked(tx, made, instrumentName, who);
      });
      if (replayed) this.events?.replayed();
      else this.events?.created(stored);
      return stored;
    } catch (error) {
      if (error instanceof DomainError && error.code === ErrorCode.SLOT_UNAVAILABLE) this.events?.conflict();
      throw error;
    }
  }

  /** The checks a quote and a booking share, in the order a caller fixes them, and the price. */
  private async price(request: BookingRequest, who: Identity) {
    const [instrument, openHours, schedule] = await Promise.all([
      this.loaders.instrument.load(request.instrumentId),
      this.loaders.openHours.load(request.instrumentId),
      this.loaders.fees.load(request.instrumentId),
    ]);
    if (!instrument) throw errors.notFound('Instrument', 'input.instrumentId');
    const category = userCategoryOf(who, this.institution);
    checkSharedWith(category, instrument.sharedExternally);
    const period = { start: request.start, end: request.end };
    checkBookingPeriod(period, { openHours, maxBookingMinutes: instrument.maxBookingMinutes }, this.now);
    const quote = quoteFee(schedule, category, request.mode, durationMinutes(period));
    return { instrument, category, quote };
  }

  private async listAtMost(filter: Omit<Parameters<BookingsRepository['list']>[0], 'limit'>): Promise<Booking[]> {
    const bookings = await this.repository.list({ ...filter, limit: MAX_BOOKINGS_PER_LIST + 1 });
    if (bookings.length > MAX_BOOKINGS_PER_LIST) {
      throw errors.limitExceeded(`More than ${MAX_BOOKINGS_PER_LIST} bookings match; narrow the period with from and to`, 'from');
    }
    return bookings;
  }

  private async found(id: number): Promise<Booking> {
    const booking = await this.repository.findById(id);
    if (!booking) throw errors.notFound('Booking', 'id');
    return booking;
  }

  /** A conditional update found the booking changed: read it again and answer with the rule it now breaks. */
  private async lostRace(id: number, check: (booking: Booking) => void): Promise<never> {
    check(await this.found(id));
    throw errors.badInput('id', 'The booking changed meanwhile; read it again');
  }
}
