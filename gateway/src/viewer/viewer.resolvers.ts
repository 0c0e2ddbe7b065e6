import type { Identity } from '@kyoyo/auth';
import type { GatewayContext } from '../common/context';

export const viewerResolvers = {
  Query: {
    me: (_: unknown, __: unknown, ctx: GatewayContext) => ctx.identity,
  },
  Viewer: {
    institution: (v: Identity, _: unknown, ctx: GatewayContext) =>
      v.institution ? (ctx.institutions.get(v.institution) ?? null) : null,
    organization: (v: Identity, _: unknown, ctx: GatewayContext) =>
      v.organization ?? (v.institution ? (ctx.institutions.get(v.institution)?.name ?? null) : null),
    roleGrants: (v: Identity, _: unknown, ctx: GatewayContext) => ctx.roles.mine(v),
  },
};
