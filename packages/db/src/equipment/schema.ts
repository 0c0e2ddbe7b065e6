import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  customType,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { tstzrange } from '../tstzrange';

/**
 * The database of one institution's equipment service. Money is whole yen in `bigint` (prices exceed 2^31);
 * times are `timestamptz`; booking periods are half-open `tstzrange`s guarded by an exclusion constraint
 * (`bookings_no_overlap`, hand-written in the migrations because Drizzle has no API for it).
 */

export const userCategoryEnum = pgEnum('user_category', ['INTERNAL', 'ACADEMIC', 'INDUSTRY']);
export const operationModeEnum = pgEnum('operation_mode', ['SELF', 'ASSISTED', 'DELEGATED']);
export const bookingStatusEnum = pgEnum('booking_status', [
  'PENDING',
  'CONFIRMED',
  'REJECTED',
  'CANCELLED',
  'COMPLETED',
  'NO_SHOW',
]);

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

export const instrumentsTable = pgTable(
  'instruments',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** The office's own identifier; the upsert key of listings and imports. */
    localId: text('local_id').notNull(),
    name: text('name').notNull(),
    nameEn: text('name_en'),
    category: text('category').notNull(),
    manufacturer: text('manufacturer'),
    model: text('model'),
    description: text('description'),
    acquisitionPrice: bigint('acquisition_price', { mode: 'number' }),
    acquiredOn: date('acquired_on', { mode: 'string' }),
    building: text('building'),
    latitude: doublePrecision('latitude'),
    longitude: doublePrecision('longitude'),
    sharedExternally: boolean('shared_externally').notNull().default(false),
    remoteOperable: boolean('remote_operable').notNull().default(false),
    requiresApproval: boolean('requires_approval').notNull().default(false),
    requiresQualification: boolean('requires_qualification').notNull().default(false),
    maxBookingMinutes: integer('max_booking_minutes').notNull().default(480),
    cancellationFreeHours: integer('cancellation_free_hours').notNull().default(48),
    cancellationFeePercent: integer('cancellation_fee_percent').notNull().default(50),
    decommissionedAt: timestamp('decommissioned_at', { withTimezone: true }),
    /** `normalizeText(name)`: ranking looks here first. */
    nameNorm: text('name_norm').notNull(),
    /** `normalizeText(nameEn)`: ranked like the name, for English queries. */
    nameEnNorm: text('name_en_norm'),
    /** `normalizeText` of name, English name, manufacturer, model, category and description, space-joined. */
    searchText: text('search_text').notNull(),
    /** `searchTokens(searchText)`: characters and character pairs, for 1–2 character (mostly Japanese) queries. */
    searchTokens: text('search_tokens').array().notNull(),
    /** `compactText(name, nameEn, model)`: letters and digits only, where duplicate checks find model numbers. */
    compactText: text('compact_text').notNull().default(''),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('instruments_local_id_unique').on(t.localId),
    index('instruments_search_text_trgm').using('gin', t.searchText.op('gin_trgm_ops')),
    index('instruments_name_norm_trgm').using('gin', t.nameNorm.op('gin_trgm_ops')),
    index('instruments_search_tokens_gin').using('gin', t.searchTokens),
    index('instruments_name_en_norm_trgm').using('gin', t.nameEnNorm.op('gin_trgm_ops')).with({ fastupdate: false }),
    index('instruments_compact_text_trgm').using('gin', t.compactText.op('gin_trgm_ops')).with({ fastupdate: false }),
    index('instruments_category_idx').on(t.category),
    index('instruments_acquisition_price_idx').on(t.acquisitionPrice),
    check('instruments_acquisition_price_nonnegative', sql`${t.acquisitionPrice} >= 0`),
    check('instruments_latitude_range', sql`${t.latitude} BETWEEN -90 AND 90`),
    check('instruments_longitude_range', sql`${t.longitude} BETWEEN -180 AND 180`),
    check('instruments_max_booking_minutes_range', sql`${t.maxBookingMinutes} BETWEEN 15 AND 10080`),
    check('instruments_cancellation_fee_percent_range', sql`${t.cancellationFeePercent} BETWEEN 0 AND 100`),
    check('instruments_cancellation_free_hours_range', sql`${t.cancellationFreeHours} BETWEEN 0 AND 720`),
  ],
);

export const feeRatesTable = pgTable(
  'fee_rates',
  {
    instrumentId: bigint('instrument_id', { mode: 'number' })
      .notNull()
      .references(() => instrumentsTable.id, { onDelete: 'cascade' }),
    userCategory: userCategoryEnum('user_category').notNull(),
    mode: operationModeEnum('mode').notNull(),
    hourlyRate: bigint('hourly_rate', { mode: 'number' }).notNull(),
    billingUnitMinutes: integer('billing_unit_minutes').notNull().default(60),
    minimumCharge: bigint('minimum_charge', { mode: 'number' }).notNull().default(0),
  },
  (t) => [
    primaryKey({ name: 'fee_rates_pkey', columns: [t.instrumentId, t.userCategory, t.mode] }),
    check('fee_rates_hourly_rate_nonnegative', sql`${t.hourlyRate} >= 0`),
    check('fee_rates_minimum_charge_nonnegative', sql`${t.minimumCharge} >= 0`),
    check('fee_rates_billing_unit_range', sql`${t.billingUnitMinutes} BETWEEN 1 AND 1440`),
  ],
);

/** Weekly open hours in Asia/Tokyo: ISO weekday (1 = Monday) and minutes since local midnight. */
export const openHoursTable = pgTable(
  'open_hours',
  {
    instrumentId: bigint('instrument_id', { mode: 'number' })
      .notNull()
      .references(() => instrumentsTable.id, { onDelete: 'cascade' }),
    weekday: smallint('weekday').notNull(),
    opensAt: smallint('opens_at').notNull(),
    closesAt: smallint('closes_at').notNull(),
  },
  (t) => [
    primaryKey({ name: 'open_hours_pkey', columns: [t.instrumentId, t.weekday, t.opensAt] }),
    check('open_hours_weekday_range', sql`${t.weekday} BETWEEN 1 AND 7`),
    check('open_hours_minutes_range', sql`${t.opensAt} >= 0 AND ${t.closesAt} <= 1440 AND ${t.opensAt} < ${t.closesAt}`),
  ],
);

/** Maintenance and other closures on top of open hours. */
export const blackoutsTable = pgTable(
  'blackouts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    instrumentId: bigint('instrument_id', { mode: 'number' })
      .notNull()
      .references(() => instrumentsTable.id, { onDelete: 'cascade' }),
    period: tstzrange('period').notNull(),
    reason: text('reason'),
    createdBy: text('created_by').notNull(),
    ...timestamps,
  },
  (t) => [index('blackouts_instrument_period_gist').using('gist', t.instrumentId, t.period)],
);

export const qualificationsTable = pgTable(
  'qualifications',
  {
    instrumentId: bigint('instrument_id', { mode: 'number' })
      .notNull()
      .references(() => instrumentsTable.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    /** Last day (Asia/Tokyo) the qualification is valid; null: no expiry. */
    expiresOn: date('expires_on', { mode: 'string' }),
    grantedBy: text('granted_by').notNull(),
    /** When the current grant was made: a grant that replaces an earlier one (or a revocation) sets it again. */
    grantedAt: timestamp('granted_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [primaryKey({ name: 'qualifications_pkey', columns: [t.instrumentId, t.userId] })],
);

export const bookingsTable = pgTable(
  'bookings',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    instrumentId: bigint('instrument_id', { mode: 'number' })
      .notNull()
      .references(() => instrumentsTable.id, { onDelete: 'restrict' }),
    requesterId: text('requester_id').notNull(),
    requesterOrganization: text('requester_organization').notNull(),
    /** Home institution code of the requester when it is a member of the federation. */
    requesterInstitution: text('requester_institution'),
    userCategory: userCategoryEnum('user_category').notNull(),
    mode: operationModeEnum('mode').notNull(),
    period: tstzrange('period').notNull(),
    status: bookingStatusEnum('status').notNull(),
    /** Fee snapshot taken when the booking was made; later schedule changes never touch it. */
    fee: bigint('fee', { mode: 'number' }).notNull(),
    cancellationFee: bigint('cancellation_fee', { mode: 'number' }),
    fundingSource: text('funding_source'),
    purpose: text('purpose').notNull(),
    /** Per requester: a retried create with the same key finds this booking instead of making another. */
    idempotencyKey: text('idempotency_key').notNull(),
    /** SHA-256 of the canonical create input, to tell a retry from a reuse of the key with other input. */
    requestHash: text('request_hash').notNull(),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decisionNote: text('decision_note'),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    /** Who cancelled: the requester (who may owe a cancellation fee) or someone of the facility office. */
    cancelledBy: text('cancelled_by'),
    cancelReason: text('cancel_reason'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('bookings_idempotency_key_unique').on(t.requesterId, t.idempotencyKey),
    // A requester's bookings by start (myBookings); the unique index above serves lookups by requester alone.
    index('bookings_requester_start_idx').on(t.requesterId, sql`lower(${t.period})`),
    // Bookings of the institution by start (the office's list, monthly usage statements).
    index('bookings_start_idx').on(sql`lower(${t.period})`),
    index('bookings_status_idx').on(t.status),
    check('bookings_fee_nonnegative', sql`${t.fee} >= 0 AND coalesce(${t.cancellationFee}, 0) >= 0`),
  ],
);

/**
 * Researchers waiting for a period of a booked instrument, told in the order they joined when a cancellation
 * or rejection frees it (they then book through the normal path; the booking constraint still decides). An
 * entry waits while `ended_at` is null and its period has not started: waiting ends by itself at the start,
 * whatever the row says. A person waits at most once for overlapping periods of one instrument: exclusion
 * constraint `waitlist_entries_no_overlap` over the entries not ended, hand-written in the migrations.
 */
export const waitlistEntriesTable = pgTable(
  'waitlist_entries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    instrumentId: bigint('instrument_id', { mode: 'number' })
      .notNull()
      .references(() => instrumentsTable.id, { onDelete: 'restrict' }),
    /** The waiting user's id (`sub`); where to write to them is in `people`. */
    subject: text('subject').notNull(),
    period: tstzrange('period').notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    /** Why it ended: LEFT (the person left), STARTED (its period began; set by pruning), BOOKED (they booked it). */
    endReason: text('end_reason'),
    ...timestamps,
  },
  (t) => [
    // The queue of one instrument, in joining order (waitingFor), among entries still open.
    index('waitlist_entries_instrument_order_idx')
      .on(t.instrumentId, t.createdAt, t.id)
      .where(sql`${t.endedAt} IS NULL`),
    // A person's open entries by start (myWaitlist).
    index('waitlist_entries_subject_start_idx')
      .on(t.subject, sql`lower(${t.period})`)
      .where(sql`${t.endedAt} IS NULL`),
    check(
      'waitlist_entries_period_bounded',
      sql`NOT isempty(${t.period}) AND NOT lower_inf(${t.period}) AND NOT upper_inf(${t.period})`,
    ),
    check(
      'waitlist_entries_end_reason_known',
      sql`(${t.endedAt} IS NULL AND ${t.endReason} IS NULL) OR (${t.endedAt} IS NOT NULL AND ${t.endReason} IN ('LEFT', 'STARTED', 'BOOKED'))`,
    ),
  ],
);

/**
 * Every change to a listing: who made it, when, through which operation, and each field's value before and
 * after (`changes`: `{ field: { from, to } }`, JSON values). Kept for decommissioned instruments too.
 */
export const listingChangesTable = pgTable(
  'listing_changes',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    instrumentId: bigint('instrument_id', { mode: 'number' })
      .notNull()
      .references(() => instrumentsTable.id, { onDelete: 'restrict' }),
    changedAt: timestamp('changed_at', { withTimezone: true }).notNull().defaultNow(),
    /** The user id of whoever made the change. */
    changedBy: text('changed_by').notNull(),
    /** CREATED, UPDATED, DECOMMISSIONED, RECOMMISSIONED, OPEN_HOURS, BLACKOUT_ADDED, BLACKOUT_REMOVED. */
    action: text('action').notNull(),
    /** The operation that made it: upsertInstrument, importInstruments, setOpenHours, … */
    via: text('via').notNull(),
    changes: jsonb('changes').$type<Record<string, { from: unknown; to: unknown }>>().notNull().default({}),
  },
  (t) => [
    index('listing_changes_instrument_idx').on(t.instrumentId, t.id),
    check(
      'listing_changes_action_known',
      sql`${t.action} IN ('CREATED', 'UPDATED', 'DECOMMISSIONED', 'RECOMMISSIONED', 'OPEN_HOURS', 'BLACKOUT_ADDED', 'BLACKOUT_REMOVED')`,
    ),
  ],
);

/** PostgreSQL's 64-bit transaction id: the commit-safe order of the change feed. Carried as its decimal text. */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

/**
 * The change feed (outbox) the gateway harvests into the national catalogue: one row per write that changes
 * what the nation may see, written by triggers in the writing transaction (hand-written in the migrations) so
 * that no write path can forget it. `listing` changes name an instrument (its listing, fee schedule, open hours
 * or blackouts changed); `busy_period` changes name a booking (its period or status changed: only start and
 * end ever leave the owner). Read in `(xid, id)` order below the oldest running transaction, so a change that
 * commits late is never skipped; `id` is the entity's version.
 */
export const catalogueChangesTable = pgTable(
  'catalogue_changes',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    xid: xid8('xid')
      .notNull()
      .default(sql`pg_current_xact_id()`),
    entity: text('entity').notNull(),
    entityId: bigint('entity_id', { mode: 'number' }).notNull(),
    instrumentId: bigint('instrument_id', { mode: 'number' }).notNull(),
    changedAt: timestamp('changed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('catalogue_changes_order_idx').on(t.xid, t.id),
    index('catalogue_changes_changed_at_idx').on(t.changedAt),
    check('catalogue_changes_entity_known', sql`${t.entity} IN ('listing', 'busy_period')`),
  ],
);

/**
 * One row: where pruning of the change feed has reached (a cursor at or below it must resynchronise) and the
 * feed's epoch, made when the database was created, so a cursor from another database is recognised.
 */
export const catalogueFeedStateTable = pgTable(
  'catalogue_feed_state',
  {
    singleton: boolean('singleton').primaryKey().default(true),
    epoch: text('epoch')
      .notNull()
      .default(sql`gen_random_uuid()::text`),
    prunedXid: xid8('pruned_xid')
      .notNull()
      .default(sql`'0'::xid8`),
    prunedId: bigint('pruned_id', { mode: 'number' }).notNull().default(0),
  },
  (t) => [check('catalogue_feed_state_singleton', sql`${t.singleton}`)],
);

/**
 * The people this institution writes to: the address and language their last signed call carried, and whether
 * they want reminders. Kept per owner because the owner sends its own mail (and holds its own bookings).
 */
export const peopleTable = pgTable(
  'people',
  {
    /** The user id (`sub`). */
    subject: text('subject').primaryKey(),
    email: text('email'),
    language: text('language').notNull().default('ja'),
    /** A reminder the day before each booking (people may opt out). */
    reminders: boolean('reminders').notNull().default(true),
    ...timestamps,
  },
  (t) => [check('people_language_known', sql`${t.language} IN ('ja', 'en')`)],
);

export const notificationStateEnum = pgEnum('notification_state', ['PENDING', 'SENDING', 'SENT', 'FAILED', 'UNKNOWN']);

/**
 * The outbox: one message per event and recipient, written in the transaction of the event it tells of and
 * delivered afterwards by the notification worker. `event` names the event (`booking:42:confirmed`), so a
 * second write of the same event adds nothing. A message is claimed (`SENDING`, committed) before it is
 * handed to SMTP and never handed again once claimed, unless SMTP refused it before accepting it: a message
 * is sent at most once. One whose send was interrupted is `UNKNOWN` (perhaps sent), shown to the office.
 */
export const notificationsTable = pgTable(
  'notifications',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    event: text('event').notNull(),
    /** BOOKING_CONFIRMED, APPROVAL_REQUESTED, BOOKING_APPROVED, BOOKING_REJECTED, BOOKING_CANCELLED, REMINDER, … */
    kind: text('kind').notNull(),
    bookingId: bigint('booking_id', { mode: 'number' }).references(() => bookingsTable.id, { onDelete: 'restrict' }),
    /** The user id of the recipient; null for the facility office's address. */
    recipientSubject: text('recipient_subject'),
    recipient: text('recipient').notNull(),
    language: text('language').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    state: notificationStateEnum('state').notNull().default('PENDING'),
    attempts: smallint('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    /** The SMTP server's answer to the last attempt that failed (a bounce's 5xx, a 4xx deferral, a dropped link). */
    lastError: text('last_error'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('notifications_event_recipient_idx').on(t.event, t.recipient),
    index('notifications_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.state} = 'PENDING'`),
    index('notifications_state_idx').on(t.state, t.id),
    index('notifications_booking_idx').on(t.bookingId),
  ],
);
