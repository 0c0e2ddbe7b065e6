import type { OpenHoursRule } from '@kyoyo/domain';
import type { EquipmentContext } from '../common/context';
import type { Instrument } from '../instruments/instruments.types';
import type { Blackout } from './availability.types';

export const availabilityResolvers = {
  Instrument: {
    openHours: (instrument: Instrument, _: unknown, ctx: EquipmentContext) => ctx.availability.openHours(instrument.id),
    availability: (instrument: Instrument, args: { from: Date; to: Date; minMinutes: number }, ctx: EquipmentContext) =>
      ctx.availability.freeSlots(instrument.id, args.from, args.to, args.minMinutes),
    utilization: (instrument: Instrument, args: { from: Date; to: Date }, ctx: EquipmentContext) =>
      ctx.availability.utilization(instrument.id, args.from, args.to),
    blackouts: (instrument: Instrument, args: { from: Date; to: Date }, ctx: EquipmentContext) =>
      ctx.availability.blackouts(instrument.id, args.from, args.to),
  },
  Blackout: {
    id: (blackout: Blackout) => String(blackout.id),
    instrumentId: (blackout: Blackout) => String(blackout.instrumentId),
    start: (blackout: Blackout) => blackout.period.start,
    end: (blackout: Blackout) => blackout.period.end,
  },
  Mutation: {
    setOpenHours: (_: unknown, args: { instrumentId: string; hours: OpenHoursRule[] }, ctx: EquipmentContext) =>
      ctx.availability.setOpenHours(args.instrumentId, args.hours, ctx.identity),
    addBlackout: (
      _: unknown,
      args: { instrumentId: string; start: Date; end: Date; reason?: string | null },
      ctx: EquipmentContext,
    ) => ctx.availability.addBlackout(args.instrumentId, args.start, args.end, args.reason, ctx.identity),
    removeBlackout: (_: unknown, args: { id: string }, ctx: EquipmentContext) =>
      ctx.availability.removeBlackout(args.id, ctx.identity),
  },
};
