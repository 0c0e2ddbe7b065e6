import type { EquipmentContext } from '../common/context';

export const institutionResolvers = {
  Query: {
    institution: (_: unknown, __: unknown, ctx: EquipmentContext) => ({ code: ctx.institution }),
  },
  InstitutionSummary: {
    instrumentCount: (_: unknown, __: unknown, ctx: EquipmentContext) => ctx.instruments.countListed(),
  },
};
