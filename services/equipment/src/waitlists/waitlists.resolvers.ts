import type { EquipmentContext } from '../common/context';
import type { WaitlistInput } from './waitlists.service';
import type { WaitlistEntry } from './waitlists.types';

/** Thin: arguments in, service call, result out. */
export const waitlistsResolvers = {
  Query: {
    myWaitlist: (_: unknown, _args: unknown, ctx: EquipmentContext) => ctx.waitlists.mine(ctx.identity),
  },
  Mutation: {
    joinWaitlist: (_: unknown, args: { input: WaitlistInput }, ctx: EquipmentContext) =>
      ctx.waitlists.join(args.input, ctx.identity),
    leaveWaitlist: (_: unknown, args: { id: string }, ctx: EquipmentContext) => ctx.waitlists.leave(args.id, ctx.identity),
  },
  WaitlistEntry: {
    id: (entry: WaitlistEntry) => String(entry.id),
    instrumentId: (entry: WaitlistEntry) => String(entry.instrumentId),
    start: (entry: WaitlistEntry) => entry.period.start,
    end: (entry: WaitlistEntry) => entry.period.end,
  },
};
