import { encodeGlobalId } from '@kyoyo/domain';
import type { GatewayContext } from '../common/context';
import type { PublicInstrumentInput, SearchArgs } from './instruments.service';
import type { FederatedInstrument } from './instruments.types';

const keyOf = (i: FederatedInstrument) => ({ institution: i.institutionCode, localId: i.id });

/** Thin: arguments in, service call, result out. */
export const instrumentsResolvers = {
  Query: {
    instrument: (_: unknown, args: { id: string }, ctx: GatewayContext) => ctx.instruments.byGlobalId(args.id),
    searchInstruments: (_: unknown, args: SearchArgs, ctx: GatewayContext) => ctx.instruments.search(args, ctx.identity),
  },
  Mutation: {
    upsertInstrument: (_: unknown, args: { input: PublicInstrumentInput }, ctx: GatewayContext) =>
      ctx.instruments.upsert(args.input, ctx.identity),
  },
  Instrument: {
    id: (i: FederatedInstrument) => encodeGlobalId('Instrument', i.institutionCode, i.id),
    institution: (i: FederatedInstrument, _: unknown, ctx: GatewayContext) => ctx.institutions.get(i.institutionCode),
    availability: (i: FederatedInstrument, args: { from: Date; to: Date }, ctx: GatewayContext) =>
      ctx.loaders.availability.load({ ...keyOf(i), from: args.from, to: args.to }),
    utilization: (i: FederatedInstrument, args: { from: Date; to: Date }, ctx: GatewayContext) =>
      ctx.loaders.utilization.load({ ...keyOf(i), from: args.from, to: args.to }),
  },
};
