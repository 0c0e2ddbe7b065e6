import { encodeGlobalId } from '@kyoyo/domain';
import type { GatewayContext } from '../common/context';
import type { WaitlistInput } from './waitlists.service';
import type { FederatedWaitlistEntry } from './waitlists.types';

/** Thin: arguments in, service call, result out. */
export const waitlistsResolvers = {
  Query: {
    myWaitlist: (_: unknown, _args: unknown, ctx: GatewayContext) => ctx.waitlists.mine(ctx.identity),
  },
  Mutation: {
    joinWaitlist: (_: unknown, args: { input: WaitlistInput }, ctx: GatewayContext) =>
      ctx.waitlists.join(args.input, ctx.identity),
    leaveWaitlist: (_: unknown, args: { id: string }, ctx: GatewayContext) => ctx.waitlists.leave(args.id, ctx.identity),
  },
  WaitlistEntry: {
    id: (e: FederatedWaitlistEntry) => encodeGlobalId('WaitlistEntry', e.institutionCode, e.id),
    instrument: (e: FederatedWaitlistEntry, _: unknown, ctx: GatewayContext) =>
      ctx.instruments.byKey({ institution: e.institutionCode, localId: e.instrumentId }),
  },
};
