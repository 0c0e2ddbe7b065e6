import type { Identity } from '@kyoyo/auth';
import type { GatewayContext } from '../common/context';

export const calendarResolvers = {
  Mutation: {
    createCalendarFeed: (_: unknown, __: unknown, ctx: GatewayContext) => ctx.calendarFeeds.create(ctx.identity),
    revokeCalendarFeed: (_: unknown, __: unknown, ctx: GatewayContext) => ctx.calendarFeeds.revoke(ctx.identity),
  },
  Viewer: {
    calendarFeed: (v: Identity, _: unknown, ctx: GatewayContext) => ctx.calendarFeeds.mine(v),
  },
};
