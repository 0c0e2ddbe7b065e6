import type { Identity } from '@kyoyo/auth';
import type { GatewayContext } from '../common/context';
import type { NotificationPreferences } from './notifications.types';
import type { PreferencesInput } from './notifications.service';

const LANGUAGE_ENUM = { ja: 'JA', en: 'EN' } as const;

/** Thin: arguments in, service call, result out. */
export const notificationsResolvers = {
  Query: {
    notificationDeliveries: (
      _: unknown,
      args: { institution: string; states?: string[] | null; first: number },
      ctx: GatewayContext,
    ) => ctx.notifications.deliveries(args.institution, args.states, args.first, ctx.identity),
  },
  Mutation: {
    setNotificationPreferences: (_: unknown, args: { input: PreferencesInput }, ctx: GatewayContext) =>
      ctx.notifications.set(args.input, ctx.identity),
  },
  Viewer: {
    notificationPreferences: (v: Identity, _: unknown, ctx: GatewayContext) => ctx.notifications.mine(v),
  },
  NotificationPreferences: {
    language: (p: NotificationPreferences) => LANGUAGE_ENUM[p.language],
  },
};
