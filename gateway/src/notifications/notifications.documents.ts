/** The owner's outbox as the gateway asks for it. */
export const NOTIFICATION_DELIVERIES = `query NotificationDeliveries($states: [DeliveryState!], $first: Int) {
  notificationDeliveries(states: $states, first: $first) {
    id kind bookingId recipientId recipient language subject state attempts lastError createdAt sentAt nextAttemptAt } }`;

export interface ServiceDelivery {
  id: string;
  kind: string;
  bookingId: string | null;
  recipientId: string | null;
  recipient: string;
  language: string;
  subject: string;
  state: string;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
  nextAttemptAt: string;
}

export interface NotificationDeliveriesData {
  notificationDeliveries: ServiceDelivery[];
}

/** Tells an owner the caller's new choices (carried by the signed call itself). */
export const REFRESH_CONTACT = `mutation RefreshContact { refreshContact }`;
export interface RefreshContactData {
  refreshContact: boolean;
}
