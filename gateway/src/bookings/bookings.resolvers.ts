import { encodeGlobalId, type BookingOutcome, type BookingStatus } from '@kyoyo/domain';
import type { GatewayContext } from '../common/context';
import type { BookingInput } from './bookings.service';
import type { FederatedBooking, FederatedQualification, UsageStatement } from './bookings.types';
import { usageStatementCsv } from './usage-statement.csv';

interface Period {
  from?: Date | null;
  to?: Date | null;
}

/** Thin: arguments in, service call, result out. */
export const bookingsResolvers = {
  Query: {
    quoteBooking: (_: unknown, args: { input: BookingInput }, ctx: GatewayContext) =>
      ctx.bookings.quote(args.input, ctx.identity),
    booking: (_: unknown, args: { id: string }, ctx: GatewayContext) => ctx.bookings.byGlobalId(args.id, ctx.identity),
    myBookings: (_: unknown, args: Period, ctx: GatewayContext) => ctx.bookings.mine(args.from, args.to, ctx.identity),
    institutionBookings: (
      _: unknown,
      args: Period & { institution: string; status?: BookingStatus[] | null },
      ctx: GatewayContext,
    ) => ctx.bookings.ofInstitution(args.institution, args, ctx.identity),
    qualifications: (_: unknown, args: { instrumentId: string }, ctx: GatewayContext) =>
      ctx.bookings.qualifications(args.instrumentId, ctx.identity),
    usageStatement: (_: unknown, args: { institution: string; month: string }, ctx: GatewayContext) =>
      ctx.bookings.usageStatement(args.institution, args.month, ctx.identity),
  },
  Mutation: {
    createBooking: (_: unknown, args: { input: BookingInput; idempotencyKey: string }, ctx: GatewayContext) =>
      ctx.bookings.create(args.input, args.idempotencyKey, ctx.identity),
    cancelBooking: (_: unknown, args: { id: string; reason?: string | null }, ctx: GatewayContext) =>
      ctx.bookings.cancel(args.id, args.reason, ctx.identity),
    decideBooking: (_: unknown, args: { id: string; approve: boolean; note?: string | null }, ctx: GatewayContext) =>
      ctx.bookings.decide(args.id, args.approve, args.note, ctx.identity),
    recordBookingOutcome: (
      _: unknown,
      args: { id: string; outcome: BookingOutcome; note?: string | null },
      ctx: GatewayContext,
    ) => ctx.bookings.recordOutcome(args.id, args.outcome, args.note, ctx.identity),
    grantQualification: (
      _: unknown,
      args: { instrumentId: string; userId: string; expiresOn?: string | null },
      ctx: GatewayContext,
    ) => ctx.bookings.grantQualification(args.instrumentId, args.userId, args.expiresOn, ctx.identity),
    revokeQualification: (_: unknown, args: { instrumentId: string; userId: string }, ctx: GatewayContext) =>
      ctx.bookings.revokeQualification(args.instrumentId, args.userId, ctx.identity),
  },
  Booking: {
    id: (b: FederatedBooking) => encodeGlobalId('Booking', b.institutionCode, b.id),
    instrument: (b: FederatedBooking, _: unknown, ctx: GatewayContext) =>
      ctx.instruments.byKey({ institution: b.institutionCode, localId: b.instrumentId }),
    requesterInstitution: (b: FederatedBooking, _: unknown, ctx: GatewayContext) =>
      b.requesterInstitution ? (ctx.institutions.get(b.requesterInstitution) ?? null) : null,
  },
  Qualification: {
    instrument: (q: FederatedQualification, _: unknown, ctx: GatewayContext) =>
      ctx.instruments.byKey({ institution: q.institutionCode, localId: q.instrumentId }),
  },
  UsageStatement: {
    institution: (s: UsageStatement, _: unknown, ctx: GatewayContext) => ctx.institutions.get(s.institution),
    csv: (s: UsageStatement) => usageStatementCsv(s),
  },
};
