import type { BookingOutcome } from '@kyoyo/domain';
import type { EquipmentContext } from '../common/context';
import type { BookingInput, UsageLine } from './bookings.service';
import type { Booking, BookingStatus, Qualification } from './bookings.types';

interface Window {
  from?: Date | null;
  to?: Date | null;
}

/** Thin: arguments in, service call, result out. */
export const bookingsResolvers = {
  Query: {
    quoteBooking: (_: unknown, args: { input: BookingInput }, ctx: EquipmentContext) =>
      ctx.bookings.quote(args.input, ctx.identity),
    booking: (_: unknown, args: { id: string }, ctx: EquipmentContext) => ctx.bookings.get(args.id, ctx.identity),
    myBookings: (_: unknown, args: Window, ctx: EquipmentContext) => ctx.bookings.mine(args.from, args.to, ctx.identity),
    bookings: (_: unknown, args: Window & { status?: BookingStatus[] | null }, ctx: EquipmentContext) =>
      ctx.bookings.list(args.status, args.from, args.to, ctx.identity),
    qualifications: (_: unknown, args: { instrumentId: string }, ctx: EquipmentContext) =>
      ctx.qualifications.list(args.instrumentId, ctx.identity),
    usageStatement: (_: unknown, args: { month: string }, ctx: EquipmentContext) =>
      ctx.bookings.usageStatement(args.month, ctx.identity),
  },
  Mutation: {
    createBooking: (_: unknown, args: { input: BookingInput; idempotencyKey: string }, ctx: EquipmentContext) =>
      ctx.bookings.create(args.input, args.idempotencyKey, ctx.identity),
    cancelBooking: (_: unknown, args: { id: string; reason?: string | null }, ctx: EquipmentContext) =>
      ctx.bookings.cancel(args.id, args.reason, ctx.identity),
    decideBooking: (_: unknown, args: { id: string; approve: boolean; note?: string | null }, ctx: EquipmentContext) =>
      ctx.bookings.decide(args.id, args.approve, args.note, ctx.identity),
    recordBookingOutcome: (
      _: unknown,
      args: { id: string; outcome: BookingOutcome; note?: string | null },
      ctx: EquipmentContext,
    ) => ctx.bookings.recordOutcome(args.id, args.outcome, args.note, ctx.identity),
    grantQualification: (
      _: unknown,
      args: { instrumentId: string; userId: string; expiresOn?: string | null },
      ctx: EquipmentContext,
    ) => ctx.qualifications.grant(args.instrumentId, args.userId, args.expiresOn, ctx.identity),
    revokeQualification: (_: unknown, args: { instrumentId: string; userId: string }, ctx: EquipmentContext) =>
      ctx.qualifications.revoke(args.instrumentId, args.userId, ctx.identity),
  },
  FeeQuote: {
    instrumentId: (quote: { instrumentId: number }) => String(quote.instrumentId),
  },
  Booking: {
    id: (booking: Booking) => String(booking.id),
    instrumentId: (booking: Booking) => String(booking.instrumentId),
    start: (booking: Booking) => booking.period.start,
    end: (booking: Booking) => booking.period.end,
  },
  Qualification: {
    instrumentId: (qualification: Qualification) => String(qualification.instrumentId),
  },
  UsageLine: {
    bookingId: (line: UsageLine) => String(line.bookingId),
    instrumentId: (line: UsageLine) => String(line.instrumentId),
  },
};
