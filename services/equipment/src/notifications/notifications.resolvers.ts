import type { EquipmentContext } from '../common/context';
import type { DeliveryState, Notification } from './notifications.types';

/** Thin: arguments in, service call, result out. */
export const notificationsResolvers = {
  Query: {
    notificationDeliveries: (_: unknown, args: { states?: DeliveryState[] | null; first: number }, ctx: EquipmentContext) =>
      ctx.notifications.deliveries(args.states, args.first, ctx.identity),
  },
  Mutation: {
    refreshContact: (_: unknown, __: unknown, ctx: EquipmentContext) => ctx.notifications.refreshContact(ctx.identity),
  },
  NotificationDelivery: {
    recipientId: (n: Notification) => n.recipientSubject,
  },
};
