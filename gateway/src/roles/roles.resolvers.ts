import type { GatewayContext } from '../common/context';
import type { RoleGrantInput } from './roles.input';
import type { GrantListArgs } from './roles.service';
import type { RoleGrant } from './roles.types';

/** Thin: arguments in, service call, result out. */
export const rolesResolvers = {
  Query: {
    roleGrants: (_: unknown, args: GrantListArgs, ctx: GatewayContext) => ctx.roles.list(args, ctx.identity),
  },
  Mutation: {
    grantRole: async (_: unknown, args: { input: RoleGrantInput }, ctx: GatewayContext) =>
      (await ctx.roles.grant(args.input, ctx.identity)).grant,
    revokeRole: (_: unknown, args: { id: string; note?: string | null }, ctx: GatewayContext) =>
      ctx.roles.revoke(args.id, args.note, ctx.identity),
  },
  RoleGrant: {
    institution: (g: RoleGrant, _: unknown, ctx: GatewayContext) =>
      g.institution ? ctx.institutions.getOrFormer(g.institution) : null,
  },
};
