/** The booking operations the gateway sends to equipment services, and the shapes they answer with. */
import type { BookingStatus, OperationMode, UserCategory } from '@kyoyo/domain';

const BOOKING_FIELDS = `
  id instrumentId requesterId requesterOrganization requesterInstitution userCategory start end mode status
  fee cancellationFee fundingSource purpose createdAt decidedBy decidedAt decisionNote cancelledAt cancelledBy
  cancelReason`;

/** A booking as a service returns it (ids are the institution's local ids). */
export interface ServiceBooking {
  id: string;
  instrumentId: string;
  requesterId: string;
  requesterOrganization: string;
  requesterInstitution: string | null;
  userCategory: UserCategory;
  start: string;
  end: string;
  mode: OperationMode;
  status: BookingStatus;
  fee: number;
  cancellationFee: number | null;
  fundingSource: string | null;
  purpose: string;
  createdAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
  cancelledAt: string | null;
  cancelledBy: string | null;
  cancelReason: string | null;
}

/** A booking input with the instrument's local id. */
export interface LocalBookingInput {
  instrumentId: string;
  start: Date;
  end: Date;
  mode: OperationMode;
  purpose: string;
  fundingSource?: string | null;
}

export const QUOTE_BOOKING = `query QuoteBooking($input: LocalBookingInput!) {
  quoteBooking(input: $input) { userCategory mode billableMinutes amount lines { label amount } currency } }`;
export interface QuoteBookingData {
  quoteBooking: {
    userCategory: UserCategory;
    mode: OperationMode;
    billableMinutes: number;
    amount: number;
    lines: { label: string; amount: number }[];
    currency: string;
  };
}

export const CREATE_BOOKING = `mutation CreateBooking($input: LocalBookingInput!, $idempotencyKey: String!) {
  createBooking(input: $input, idempotencyKey: $idempotencyKey) { ${BOOKING_FIELDS} } }`;
export interface CreateBookingData {
  createBooking: ServiceBooking;
}

export const BOOKING_BY_ID = `query BookingById($id: ID!) { booking(id: $id) { ${BOOKING_FIELDS} } }`;
export interface BookingByIdData {
  booking: ServiceBooking | null;
}

export const MY_BOOKINGS = `query MyBookings($from: DateTime, $to: DateTime) { myBookings(from: $from, to: $to) { ${BOOKING_FIELDS} } }`;
export interface MyBookingsData {
  myBookings: ServiceBooking[];
}

export const INSTITUTION_BOOKINGS = `query InstitutionBookings($status: [BookingStatus!], $from: DateTime, $to: DateTime) {
  bookings(status: $status, from: $from, to: $to) { ${BOOKING_FIELDS} } }`;
export interface InstitutionBookingsData {
  bookings: ServiceBooking[];
}

export const CANCEL_BOOKING = `mutation CancelBooking($id: ID!, $reason: String) { cancelBooking(id: $id, reason: $reason) { ${BOOKING_FIELDS} } }`;
export interface CancelBookingData {
  cancelBooking: ServiceBooking;
}

export const DECIDE_BOOKING = `mutation DecideBooking($id: ID!, $approve: Boolean!, $note: String) {
  decideBooking(id: $id, approve: $approve, note: $note) { ${BOOKING_FIELDS} } }`;
export interface DecideBookingData {
  decideBooking: ServiceBooking;
}

export const RECORD_BOOKING_OUTCOME = `mutation RecordBookingOutcome($id: ID!, $outcome: BookingOutcome!, $note: String) {
  recordBookingOutcome(id: $id, outcome: $outcome, note: $note) { ${BOOKING_FIELDS} } }`;
export interface RecordBookingOutcomeData {
  recordBookingOutcome: ServiceBooking;
}

const QUALIFICATION_FIELDS = 'instrumentId userId expiresOn grantedBy grantedAt valid';

/** A qualification as a service returns it. */
export interface ServiceQualification {
  instrumentId: string;
  userId: string;
  expiresOn: string | null;
  grantedBy: string;
  grantedAt: string;
  valid: boolean;
}

export const QUALIFICATIONS = `query Qualifications($instrumentId: ID!) { qualifications(instrumentId: $instrumentId) { ${QUALIFICATION_FIELDS} } }`;
export interface QualificationsData {
  qualifications: ServiceQualification[];
}

export const GRANT_QUALIFICATION = `mutation GrantQualification($instrumentId: ID!, $userId: ID!, $expiresOn: Date) {
  grantQualification(instrumentId: $instrumentId, userId: $userId, expiresOn: $expiresOn) { ${QUALIFICATION_FIELDS} } }`;
export interface GrantQualificationData {
  grantQualification: ServiceQualification;
}

export const REVOKE_QUALIFICATION = `mutation RevokeQualification($instrumentId: ID!, $userId: ID!) {
  revokeQualification(instrumentId: $instrumentId, userId: $userId) }`;
export interface RevokeQualificationData {
  revokeQualification: boolean;
}

/** One charged booking of a usage statement, as a service returns it. */
export interface ServiceUsageLine {
  bookingId: string;
  instrumentId: string;
  instrumentName: string;
  requesterId: string;
  start: string;
  end: string;
  status: BookingStatus;
  userCategory: UserCategory;
  mode: OperationMode;
  amount: number;
}

/** A usage statement as a service returns it. */
export interface ServiceUsageStatement {
  month: string;
  total: number;
  groups: {
    requesterOrganization: string;
    requesterInstitution: string | null;
    fundingSource: string | null;
    bookings: number;
    amount: number;
    lines: ServiceUsageLine[];
  }[];
}

export const USAGE_STATEMENT = `query UsageStatement($month: String!) { usageStatement(month: $month) {
  month total
  groups { requesterOrganization requesterInstitution fundingSource bookings amount
    lines { bookingId instrumentId instrumentName requesterId start end status userCategory mode amount } } } }`;
export interface UsageStatementData {
  usageStatement: ServiceUsageStatement;
}
