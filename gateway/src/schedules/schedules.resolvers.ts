import { canManageInstitution } from '@kyoyo/auth';
import { encodeGlobalId, type OpenHoursRule } from '@kyoyo/domain';
import type { GatewayContext } from '../common/context';
import type { FederatedInstrument } from '../instruments/instruments.types';
import type { FederatedBlackout } from './schedules.service';

/** Thin: arguments in, service call, result out. */
export const schedulesResolvers = {
  Mutation: {
    setOpenHours: (_: unknown, args: { instrumentId: string; hours: OpenHoursRule[] }, ctx: GatewayContext) =>
      ctx.schedules.setOpenHours(args.instrumentId, args.hours, ctx.identity),
    addBlackout: (
      _: unknown,
      args: { instrumentId: string; start: Date; end: Date; reason?: string | null },
      ctx: GatewayContext,
    ) => ctx.schedules.addBlackout(args, ctx.identity),
    removeBlackout: (_: unknown, args: { id: string }, ctx: GatewayContext) =>
      ctx.schedules.removeBlackout(args.id, ctx.identity),
  },
  Instrument: {
    blackouts: async (i: FederatedInstrument, args: { from: Date; to: Date }, ctx: GatewayContext) =>
      (await ctx.loaders.blackouts.load({ institution: i.institutionCode, localId: i.id, from: args.from, to: args.to })).map(
        (b): FederatedBlackout => ({ ...b, institutionCode: i.institutionCode }),
      ),
  },
  Blackout: {
    id: (b: FederatedBlackout) => encodeGlobalId('Blackout', b.institutionCode, b.id),
    instrument: (b: FederatedBlackout, _: unknown, ctx: GatewayContext) =>
      ctx.instruments.byKey({ institution: b.institutionCode, localId: b.instrumentId }),
    createdBy: (b: FederatedBlackout, _: unknown, ctx: GatewayContext) =>
      canManageInstitution(ctx.identity, b.institutionCode) ? b.createdBy : null,
  },
};
