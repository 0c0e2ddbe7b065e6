/** The waitlist operations the gateway sends to equipment services, and the shapes they answer with. */
import type { WaitlistEndReason } from '@kyoyo/domain';

const ENTRY_FIELDS = 'id instrumentId subject start end createdAt active position endedAt endReason';

/** A waitlist entry as a service returns it (ids are the institution's local ids). */
export interface ServiceWaitlistEntry {
  id: string;
  instrumentId: string;
  subject: string;
  start: string;
  end: string;
  createdAt: string;
  active: boolean;
  position: number | null;
  endedAt: string | null;
  endReason: WaitlistEndReason | null;
}

export const JOIN_WAITLIST = `mutation JoinWaitlist($input: LocalWaitlistInput!) { joinWaitlist(input: $input) { ${ENTRY_FIELDS} } }`;
export interface JoinWaitlistData {
  joinWaitlist: ServiceWaitlistEntry;
}

export const LEAVE_WAITLIST = `mutation LeaveWaitlist($id: ID!) { leaveWaitlist(id: $id) { ${ENTRY_FIELDS} } }`;
export interface LeaveWaitlistData {
  leaveWaitlist: ServiceWaitlistEntry;
}

export const MY_WAITLIST = `query MyWaitlist { myWaitlist { ${ENTRY_FIELDS} } }`;
export interface MyWaitlistData {
  myWaitlist: ServiceWaitlistEntry[];
}
