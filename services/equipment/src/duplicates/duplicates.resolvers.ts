import type { EquipmentContext } from '../common/context';
import type { EquivalenceProbe } from './duplicates.service';

/** Thin: arguments in, service call, result out. */
export const duplicatesResolvers = {
  Query: {
    equivalentInstruments: (_: unknown, args: { probes: EquivalenceProbe[]; limit: number }, ctx: EquipmentContext) =>
      ctx.duplicates.equivalents(args.probes, args.limit, ctx.identity),
  },
};
