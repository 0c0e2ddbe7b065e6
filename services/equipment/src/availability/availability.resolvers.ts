import type { EquipmentContext } from '../common/context';
import type { Instrument } from '../instruments/instruments.types';

export const availabilityResolvers = {
  Instrument: {
    openHours: (instrument: Instrument, _: unknown, ctx: EquipmentContext) => ctx.availability.openHours(instrument.id),
    availability: (instrument: Instrument, args: { from: Date; to: Date; minMinutes: number }, ctx: EquipmentContext) =>
      ctx.availability.freeSlots(instrument.id, args.from, args.to, args.minMinutes),
    utilization: (instrument: Instrument, args: { from: Date; to: Date }, ctx: EquipmentContext) =>
      ctx.availability.utilization(instrument.id, args.from, args.to),
  },
};
