import type { GatewayContext } from '../common/context';
import type { RegisteredInstitution } from '../registry/registry.types';

export const institutionsResolvers = {
  Query: {
    institutions: (_: unknown, __: unknown, ctx: GatewayContext) => ctx.institutions.all(),
  },
  Institution: {
    health: (i: RegisteredInstitution, _: unknown, ctx: GatewayContext) => ctx.institutions.health(i.code),
    instrumentCount: (i: RegisteredInstitution, _: unknown, ctx: GatewayContext) => ctx.institutions.instrumentCount(i.code),
    catalogueCurrentTo: async (i: RegisteredInstitution, _: unknown, ctx: GatewayContext) =>
      (await ctx.freshness()).get(i.code)?.currentTo ?? null,
  },
};
