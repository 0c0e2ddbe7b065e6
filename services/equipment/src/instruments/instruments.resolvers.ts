import type { EquipmentContext } from '../common/context';
import type { LocalSearchInput } from './instruments.service';
import type { Instrument } from './instruments.types';

/** Thin: arguments in, service call, result out. */
export const instrumentsResolvers = {
  Query: {
    instruments: (_: unknown, args: { ids: string[]; includeDecommissioned: boolean }, ctx: EquipmentContext) =>
      ctx.instruments.byIds(args.ids, args.includeDecommissioned),
    searchInstruments: (_: unknown, args: { input: LocalSearchInput }, ctx: EquipmentContext) =>
      ctx.instruments.search(args.input),
  },
  Instrument: {
    id: (instrument: Instrument) => String(instrument.id),
    fees: (instrument: Instrument, _: unknown, ctx: EquipmentContext) => ctx.instruments.fees(instrument.id),
  },
};
