import { requireInstitutionManager, requireResearcher, requireSignedIn, type Identity } from '@kyoyo/auth';
import {
  checkPeriodOrder,
  encodeGlobalId,
  tokyoMonthRange,
  type BookingOutcome,
  type BookingStatus,
  type OperationMode,
} from '@kyoyo/domain';
import { fanOut, type CallContext, type InstitutionClient } from '../federation/institution-client';
import type { InstitutionRegistry } from '../registry/registry';
import {
  BOOKING_BY_ID,
  CANCEL_BOOKING,
  CREATE_BOOKING,
  DECIDE_BOOKING,
  GRANT_QUALIFICATION,
  INSTITUTION_BOOKINGS,
  MY_BOOKINGS,
  QUALIFICATIONS,
  QUOTE_BOOKING,
  RECORD_BOOKING_OUTCOME,
  REVOKE_QUALIFICATION,
  USAGE_STATEMENT,
  type BookingByIdData,
  type CancelBookingData,
  type CreateBookingData,
  type DecideBookingData,
  type GrantQualificationData,
  type InstitutionBookingsData,
  type MyBookingsData,
  type QualificationsData,
  type QuoteBookingData,
  type RecordBookingOutcomeData,
  type RevokeQualificationData,
  type ServiceBooking,
  type UsageStatementData,
} from './bookings.documents';
import type { FederatedBooking, FederatedQualification, UsageStatement } from './bookings.types';

/** A booking input as GraphQL hands it over (the instrument by global id). */
export interface BookingInput {
  instrumentId: string;
  start: Date;
  end: Date;
  mode: OperationMode;
  purpose: string;
  fundingSource?: string | null;
}

/** Institutions a fan-out could not reach; the response names them (see `fanOutNotices`). */
export interface RequestNotices {
  unavailableInstitutions: Set<string>;
}

/**
 * The booking use cases of one gateway request. The owning institution's service applies the booking rules
 * and checks who may do what (it holds the booking and the instrument); the gateway routes by global id,
 * checks what it can before calling (signed in, the right office) and never retries a call, so a create
 * that timed out is retried by the client with the same idempotency key and finds the booking it made.
 */
export class BookingsService {
  constructor(
    private readonly registry: InstitutionRegistry,
    private readonly client: InstitutionClient,
    private readonly call: CallContext,
    private readonly notices: RequestNotices,
  ) {}

  private localInput(input: BookingInput) {
    const { institution, localId } = this.registry.locate(input.instrumentId, 'Instrument', 'input.instrumentId');
    const { start, end, mode, purpose, fundingSource } = input;
    return { institution, input: { instrumentId: localId, start, end, mode, purpose, fundingSource: fundingSource ?? null } };
  }

  /** Researchers only (`requireResearcher`), refused before the owning institution is asked. */
  async quote(input: BookingInput, identity: Identity | null) {
    requireResearcher(identity);
    const local = this.localInput(input);
    const data = await this.client.request<QuoteBookingData>(
      local.institution,
      'QuoteBooking',
      QUOTE_BOOKING,
      { input: local.input },
      this.call,
    );
    return { ...data.quoteBooking, instrumentId: input.instrumentId };
  }

  /** Researchers only (`requireResearcher`), refused before the owning institution is asked. */
  async create(input: BookingInput, idempotencyKey: string, identity: Identity | null): Promise<FederatedBooking> {
    requireResearcher(identity);
    const local = this.localInput(input);
    const data = await this.client.request<CreateBookingData>(
      local.institution,
      'CreateBooking',
      CREATE_BOOKING,
      { input: local.input, idempotencyKey },
      this.call,
    );
    return { ...data.createBooking, institutionCode: local.institution };
  }

  /** One booking for its requester or the owning office; null when the institution has no such booking. */
  async byGlobalId(id: string, identity: Identity | null): Promise<FederatedBooking | null> {
    requireSignedIn(identity);
    const { institution, localId } = this.registry.locate(id, 'Booking', 'id');
    const data = await this.client.request<BookingByIdData>(
      institution,
      'BookingById',
      BOOKING_BY_ID,
      { id: localId },
      this.call,
    );
    return data.booking ? { ...data.booking, institutionCode: institution } : null;
  }

  private async change<T>(
    id: string,
    operationName: string,
    document: string,
    variables: Record<string, unknown>,
    pick: (data: T) => ServiceBooking,
  ): Promise<FederatedBooking> {
    const { institution, localId } = this.registry.locate(id, 'Booking', 'id');
    const data = await this.client.request<T>(institution, operationName, document, { id: localId, ...variables }, this.call);
    return { ...pick(data), institutionCode: institution };
  }

  cancel(id: string, reason: string | null | undefined, identity: Identity | null): Promise<FederatedBooking> {
    requireSignedIn(identity);
    return this.change<CancelBookingData>(
      id,
      'CancelBooking',
      CANCEL_BOOKING,
      { reason: reason ?? null },
      (d) => d.cancelBooking,
    );
  }

  decide(id: string, approve: boolean, note: string | null | undefined, identity: Identity | null): Promise<FederatedBooking> {
    const { institution } = this.registry.locate(id, 'Booking', 'id');
    requireInstitutionManager(identity, institution);
    return this.change<DecideBookingData>(
      id,
      'DecideBooking',
      DECIDE_BOOKING,
      { approve, note: note ?? null },
      (d) => d.decideBooking,
    );
  }

  recordOutcome(id: string, outcome: BookingOutcome, note: string | null | undefined, identity: Identity | null) {
    const { institution } = this.registry.locate(id, 'Booking', 'id');
    requireInstitutionManager(identity, institution);
    return this.change<RecordBookingOutcomeData>(
      id,
      'RecordBookingOutcome',
      RECORD_BOOKING_OUTCOME,
      { outcome, note: note ?? null },
      (d) => d.recordBookingOutcome,
    );
  }

  /**
   * The viewer's bookings at every institution, by start. Institutions that do not answer are named in the
   * response's `extensions.unavailableInstitutions` rather than failing the whole list.
   */
  async mine(from: Date | null | undefined, to: Date | null | undefined, identity: Identity | null): Promise<FederatedBooking[]> {
    requireSignedIn(identity);
    checkPeriodOrder(from, to);
    const { answered, unavailable } = await fanOut(this.registry.all(), (institution) =>
      this.client
        .request<MyBookingsData>(institution.code, 'MyBookings', MY_BOOKINGS, { from: from ?? null, to: to ?? null }, this.call)
        .then((data) => data.myBookings.map((b) => ({ ...b, institutionCode: institution.code }))),
    );
    for (const institution of unavailable) this.notices.unavailableInstitutions.add(institution.code);
    return answered.flatMap((a) => a.value).sort(byStart);
  }

  /** Facility office of `institution`, or ADMIN: its bookings by start (the approvals queue with `status: [PENDING]`). */
  async ofInstitution(
    institution: string,
    filter: { status?: BookingStatus[] | null; from?: Date | null; to?: Date | null },
    identity: Identity | null,
  ): Promise<FederatedBooking[]> {
    requireInstitutionManager(identity, institution);
    this.registry.requireMember(institution, 'institution');
    checkPeriodOrder(filter.from, filter.to);
    const data = await this.client.request<InstitutionBookingsData>(
      institution,
      'InstitutionBookings',
      INSTITUTION_BOOKINGS,
      { status: filter.status ?? null, from: filter.from ?? null, to: filter.to ?? null },
      this.call,
    );
    return data.bookings.map((b) => ({ ...b, institutionCode: institution }));
  }

  async qualifications(instrumentId: string, identity: Identity | null): Promise<FederatedQualification[]> {
    const { institution, localId } = this.registry.locate(instrumentId, 'Instrument', 'instrumentId');
    requireInstitutionManager(identity, institution);
    const data = await this.client.request<QualificationsData>(
      institution,
      'Qualifications',
      QUALIFICATIONS,
      { instrumentId: localId },
      this.call,
    );
    return data.qualifications.map((q) => ({ ...q, institutionCode: institution }));
  }

  async grantQualification(
    instrumentId: string,
    userId: string,
    expiresOn: string | null | undefined,
    identity: Identity | null,
  ) {
    const { institution, localId } = this.registry.locate(instrumentId, 'Instrument', 'instrumentId');
    requireInstitutionManager(identity, institution);
    await this.client.request<GrantQualificationData>(
      institution,
      'GrantQualification',
      GRANT_QUALIFICATION,
      { instrumentId: localId, userId, expiresOn: expiresOn ?? null },
      this.call,
    );
    return true;
  }

  async revokeQualification(instrumentId: string, userId: string, identity: Identity | null): Promise<boolean> {
    const { institution, localId } = this.registry.locate(instrumentId, 'Instrument', 'instrumentId');
    requireInstitutionManager(identity, institution);
    const data = await this.client.request<RevokeQualificationData>(
      institution,
      'RevokeQualification',
      REVOKE_QUALIFICATION,
      { instrumentId: localId, userId },
      this.call,
    );
    return data.revokeQualification;
  }

  /** Facility office of `institution`, or ADMIN: what each requesting organisation owes it for `month` (YYYY-MM). */
  async usageStatement(institution: string, month: string, identity: Identity | null): Promise<UsageStatement> {
    requireInstitutionManager(identity, institution);
    this.registry.requireMember(institution, 'institution');
    tokyoMonthRange(month);
    const { usageStatement: s } = await this.client.request<UsageStatementData>(
      institution,
      'UsageStatement',
      USAGE_STATEMENT,
      { month },
      this.call,
    );
    return {
      institution,
      month: s.month,
      total: s.total,
      groups: s.groups.map((g) => ({
        ...g,
        lines: g.lines.map((l) => ({
          ...l,
          bookingId: encodeGlobalId('Booking', institution, l.bookingId),
          instrumentId: encodeGlobalId('Instrument', institution, l.instrumentId),
          start: new Date(l.start),
          end: new Date(l.end),
        })),
      })),
    };
  }
}

const byStart = (a: FederatedBooking, b: FederatedBooking) =>
  Date.parse(a.start) - Date.parse(b.start) ||
  (a.institutionCode < b.institutionCode ? -1 : a.institutionCode > b.institutionCode ? 1 : 0) ||
  Number(a.id) - Number(b.id);
