import type { ServiceWaitlistEntry } from './waitlists.documents';

/** A waitlist entry at the gateway: the service's answer plus the institution that holds it. */
export interface FederatedWaitlistEntry extends ServiceWaitlistEntry {
  institutionCode: string;
}
