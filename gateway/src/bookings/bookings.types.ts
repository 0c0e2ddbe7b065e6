import type { BookingStatus, OperationMode, UserCategory } from '@kyoyo/domain';
import type { ServiceBooking, ServiceQualification } from './bookings.documents';

/** A booking at the gateway: the service's answer plus the institution that holds it. */
export interface FederatedBooking extends ServiceBooking {
  institutionCode: string;
}

/** A qualification at the gateway, with the institution of its instrument. */
export interface FederatedQualification extends ServiceQualification {
  institutionCode: string;
}

/** One charged booking of a usage statement, with global ids and parsed times. */
export interface UsageLine {
  bookingId: string;
  instrumentId: string;
  instrumentName: string;
  requesterId: string;
  start: Date;
  end: Date;
  status: BookingStatus;
  userCategory: UserCategory;
  mode: OperationMode;
  amount: number;
}

/** What each requesting organisation owes one institution for one month. */
export interface UsageStatement {
  institution: string;
  month: string;
  total: number;
  groups: {
    requesterOrganization: string;
    requesterInstitution: string | null;
    fundingSource: string | null;
    bookings: number;
    amount: number;
    lines: UsageLine[];
  }[];
}
