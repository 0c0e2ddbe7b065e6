import {
  bigint,
  boolean,
  check,
  date,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { tstzrange } from '@kyoyo/db';
import type { FeeRate, OpenHoursRule } from '@kyoyo/domain';

/** The gateway's own database: the institution registry, duplicate-check records and the national catalogue. */
export const institutionsTable = pgTable(
  'institutions',
  {
    code: text('code').primaryKey(),
    name: text('name').notNull(),
    nameEn: text('name_en'),
    prefecture: text('prefecture').notNull(),
    latitude: doublePrecision('latitude'),
    longitude: doublePrecision('longitude'),
    /** Base URL of the institution's equipment service, e.g. `http://10.0.0.5:4101`. */
    serviceUrl: text('service_url').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('institutions_code_format', sql`${t.code} ~ '^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])$'`),
    check('institutions_location_range', sql`${t.latitude} BETWEEN -90 AND 90 AND ${t.longitude} BETWEEN -180 AND 180`),
  ],
);

/**
 * Duplicate-purchase check records, append-only (a trigger refuses UPDATE and DELETE): who ran the check,
 * when, for which institution, the exact canonical JSON of proposal, verdict and candidates, and its SHA-256
 * digest. `record` keeps what the API shows besides (the candidates' instrument listings as they were).
 */
export const duplicateChecksTable = pgTable(
  'duplicate_checks',
  {
    id: uuid('id').primaryKey(),
    /** The batch (`checkDuplicatePurchases`) it was part of, with its place in the batch; null for single checks. */
    batchId: uuid('batch_id'),
    position: integer('position').notNull().default(0),
    /** Code of the requesting institution. */
    institution: text('institution').notNull(),
    checkedBy: text('checked_by').notNull(),
    checkedAt: timestamp('checked_at', { withTimezone: true }).notNull(),
    verdict: text('verdict').notNull(),
    /** The text the digest is taken over (`canonicalJson`). */
    canonical: text('canonical').notNull(),
    /** SHA-256 of `canonical`, lower-case hex. */
    digest: text('digest').notNull(),
    record: jsonb('record').notNull(),
  },
  (t) => [
    index('duplicate_checks_batch_idx').on(t.batchId, t.position),
    index('duplicate_checks_institution_idx').on(t.institution, t.checkedAt),
    check(
      'duplicate_checks_verdict',
      sql`${t.verdict} IN ('BELOW_THRESHOLD', 'NO_EQUIVALENT', 'SIMILAR_AVAILABLE', 'LIKELY_DUPLICATE')`,
    ),
    check('duplicate_checks_digest_format', sql`${t.digest} ~ '^[0-9a-f]{64}$'`),
  ],
);

/**
 * Which state of an entity a catalogue row holds: the feed version (`xid:id` of its latest change, as two
 * numbers so that SQL compares them) and the harvest generation it was written in (a resynchronisation writes
 * the next generation, then deletes what it did not see).
 */
const harvested = {
  versionXid: bigint('version_xid', { mode: 'bigint' }).notNull(),
  versionId: bigint('version_id', { mode: 'bigint' }).notNull(),
  generation: integer('generation').notNull(),
  harvestedAt: timestamp('harvested_at', { withTimezone: true }).notNull().defaultNow(),
};

/**
 * The national catalogue: every member's listed instruments as its change feed last delivered them, with the
 * same normalised search columns and indexes as the services' own tables, so that search is one query here.
 */
export const catalogueInstrumentsTable = pgTable(
  'catalogue_instruments',
  {
    institution: text('institution').notNull(),
    /** The owner's row id: the local part of the global id. */
    id: bigint('id', { mode: 'number' }).notNull(),
    /** The office's own identifier (`InstrumentInput.localId`). */
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
    sharedExternally: boolean('shared_externally').notNull(),
    remoteOperable: boolean('remote_operable').notNull(),
    requiresApproval: boolean('requires_approval').notNull(),
    requiresQualification: boolean('requires_qualification').notNull(),
    maxBookingMinutes: integer('max_booking_minutes').notNull(),
    cancellationFreeHours: integer('cancellation_free_hours').notNull(),
    cancellationFeePercent: integer('cancellation_fee_percent').notNull(),
    nameNorm: text('name_norm').notNull(),
    nameEnNorm: text('name_en_norm'),
    searchText: text('search_text').notNull(),
    searchTokens: text('search_tokens').array().notNull(),
    compactText: text('compact_text').notNull(),
    ...harvested,
  },
  (t) => [
    primaryKey({ columns: [t.institution, t.id] }),
    foreignKey({ columns: [t.institution], foreignColumns: [institutionsTable.code] }).onDelete('cascade'),
    index('catalogue_instruments_search_text_trgm').using('gin', t.searchText.op('gin_trgm_ops')),
    index('catalogue_instruments_name_norm_trgm').using('gin', t.nameNorm.op('gin_trgm_ops')),
    index('catalogue_instruments_name_en_norm_trgm').using('gin', t.nameEnNorm.op('gin_trgm_ops')),
    index('catalogue_instruments_compact_text_trgm').using('gin', t.compactText.op('gin_trgm_ops')),
    index('catalogue_instruments_search_tokens_gin').using('gin', t.searchTokens),
    index('catalogue_instruments_category_idx').on(t.category),
    index('catalogue_instruments_acquisition_price_idx').on(t.acquisitionPrice),
  ],
);

/**
 * A listing's terms — its fee schedule and open hours — beside it rather than in it: together they are as wide
 * as the rest of the row, and a search that scans the catalogue reads every page of `catalogue_instruments`, so
 * inline they doubled what each such scan reads. Read only for the listings a page shows (and where open hours
 * are computed with); written with the listing, removed with it.
 */
export const catalogueTermsTable = pgTable(
  'catalogue_terms',
  {
    institution: text('institution').notNull(),
    id: bigint('id', { mode: 'number' }).notNull(),
    fees: jsonb('fees').$type<FeeRate[]>().notNull(),
    openHours: jsonb('open_hours').$type<OpenHoursRule[]>().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.institution, t.id] }),
    foreignKey({
      name: 'catalogue_terms_listing_fk',
      columns: [t.institution, t.id],
      foreignColumns: [catalogueInstrumentsTable.institution, catalogueInstrumentsTable.id],
    }).onDelete('cascade'),
  ],
);

/**
 * When instruments are not free, and were used: the periods of bookings (start and end only; active ones and
 * those used in the last year) and closures, as the owners' feeds delivered them. `kind` tells them apart;
 * `id` is the owner's booking or blackout id.
 */
export const catalogueBusyPeriodsTable = pgTable(
  'catalogue_busy_periods',
  {
    institution: text('institution').notNull(),
    kind: text('kind').notNull(),
    id: bigint('id', { mode: 'number' }).notNull(),
    instrumentId: bigint('instrument_id', { mode: 'number' }).notNull(),
    period: tstzrange('period').notNull(),
    /** A booking that counts as use (CONFIRMED, COMPLETED, NO_SHOW); false for a PENDING one and a closure. */
    held: boolean('held').notNull().default(false),
    /** A booking by a user who is not INTERNAL (the sharing report's external use); false for a closure. */
    external: boolean('external').notNull().default(false),
    ...harvested,
  },
  (t) => [
    primaryKey({ columns: [t.institution, t.kind, t.id] }),
    foreignKey({ columns: [t.institution], foreignColumns: [institutionsTable.code] }).onDelete('cascade'),
    index('catalogue_busy_periods_instrument_gist').using('gist', t.institution, t.instrumentId, t.period),
    check('catalogue_busy_periods_kind', sql`${t.kind} IN ('booking', 'closure')`),
  ],
);

/**
 * Where the harvest of each institution stands: its change-feed cursor, the generation its catalogue rows
 * carry, a resynchronisation under way (`snapshotNext`), and how current its part of the catalogue is.
 */
export const catalogueHarvestTable = pgTable('catalogue_harvest', {
  institution: text('institution')
    .primaryKey()
    .references(() => institutionsTable.code, { onDelete: 'cascade' }),
  /** The owner's change-feed cursor; null before the first full listing. */
  cursor: text('cursor'),
  generation: integer('generation').notNull().default(0),
  /** While a full listing is read: where its next page starts ('0' at the beginning); null otherwise. */
  snapshotNext: text('snapshot_next').default('0'),
  /** Where the feed continues once the full listing under way is applied (its first page's cursor). */
  snapshotCursor: text('snapshot_cursor'),
  /** Everything the owner committed before this time is in the catalogue. */
  currentTo: timestamp('current_to', { withTimezone: true }),
  changesApplied: bigint('changes_applied', { mode: 'number' }).notNull().default(0),
  resyncs: integer('resyncs').notNull().default(0),
  refused: bigint('refused', { mode: 'number' }).notNull().default(0),
  lastError: text('last_error'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Which gateway replica harvests which institution: one at a time, so that an institution's feed carries one
 * long poll however many replicas serve the API. A lease lapses unless renewed; another replica takes over.
 */
export const catalogueHarvestLeasesTable = pgTable('catalogue_harvest_leases', {
  institution: text('institution')
    .primaryKey()
    .references(() => institutionsTable.code, { onDelete: 'cascade' }),
  /** The replica holding it (host, process and a random part). */
  holder: text('holder').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

/**
 * What each person may do, kept by Kyoyo (the identity provider says only who someone is): one row per grant,
 * never deleted; a revocation fills `revoked_*` once, so the table is the history. `subject` is the identity
 * token's `sub` (in the academic federation, the eduPersonPrincipalName). FACILITY_MANAGER and
 * INSTITUTION_ADMIN name the institution they hold at; FUNDER names the funding agency.
 */
export const roleGrantsTable = pgTable(
  'role_grants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    subject: text('subject').notNull(),
    role: text('role').notNull(),
    institution: text('institution'),
    agency: text('agency'),
    note: text('note'),
    grantedBy: text('granted_by').notNull(),
    grantedAt: timestamp('granted_at', { withTimezone: true }).notNull().defaultNow(),
    revokedBy: text('revoked_by'),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revokeNote: text('revoke_note'),
  },
  (t) => [
    uniqueIndex('role_grants_active_unique')
      .on(t.subject, t.role, sql`coalesce(${t.institution}, '')`, sql`coalesce(${t.agency}, '')`)
      .where(sql`${t.revokedAt} IS NULL`),
    index('role_grants_institution_idx').on(t.institution, t.grantedAt),
    check('role_grants_role', sql`${t.role} IN ('RESEARCHER', 'FACILITY_MANAGER', 'FUNDER', 'ADMIN', 'INSTITUTION_ADMIN')`),
    check(
      'role_grants_scope',
      sql`(${t.role} IN ('FACILITY_MANAGER', 'INSTITUTION_ADMIN')) = (${t.institution} IS NOT NULL) AND (${t.role} = 'FUNDER') = (${t.agency} IS NOT NULL)`,
    ),
    check('role_grants_revocation', sql`(${t.revokedAt} IS NULL) = (${t.revokedBy} IS NULL)`),
  ],
);

/**
 * A sign-in through the OIDC provider, begun at `GET /auth/sign-in` and not finished yet: keyed by the hash of
 * its `state`, bound to the browser that began it (the hash of the value in its attempt cookie), used once
 * (the callback deletes it) and refused after `expires_at`. Holds the PKCE verifier and nonce the callback
 * checks, and the console path to return to.
 */
export const signInAttemptsTable = pgTable(
  'sign_in_attempts',
  {
    stateHash: text('state_hash').primaryKey(),
    browserHash: text('browser_hash').notNull(),
    codeVerifier: text('code_verifier').notNull(),
    nonce: text('nonce').notNull(),
    returnTo: text('return_to').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('sign_in_attempts_expires_idx').on(t.expiresAt)],
);

/**
 * A browser's session at the gateway after an OIDC sign-in: the browser holds only a random token in an
 * HttpOnly cookie, this row holds its hash, who signed in (the identity read from the provider) and the
 * provider's tokens (the ID token for sign-out, the refresh token to confirm the identity when it is due).
 * A session ends at sign-out, when the provider refuses a refresh, after `idle` without use or at
 * `expires_at`; `ended_at`/`end_reason` say which.
 */
export const sessionsTable = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull().unique(),
    subject: text('subject').notNull(),
    institution: text('institution'),
    organization: text('organization'),
    affiliation: text('affiliation').notNull(),
    /** The provider's `email`: where the owners write to the person. */
    email: text('email'),
    /** The language the provider gives (`lang`, else `locale`): `ja` or `en`. */
    language: text('language'),
    /** The provider's own claims for roles (counted only when the provider is trusted for roles). */
    claimedRoles: jsonb('claimed_roles').$type<string[]>().notNull().default([]),
    idToken: text('id_token').notNull(),
    refreshToken: text('refresh_token'),
    /** When the identity must be confirmed with the provider again (the access token's expiry). */
    identityExpiresAt: timestamp('identity_expires_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    refreshedAt: timestamp('refreshed_at', { withTimezone: true }),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    endReason: text('end_reason'),
  },
  (t) => [
    index('sessions_subject_idx').on(t.subject, t.createdAt),
    index('sessions_expires_idx').on(t.expiresAt),
    check('sessions_affiliation', sql`${t.affiliation} IN ('academic', 'industry')`),
    check('sessions_end', sql`(${t.endedAt} IS NULL) = (${t.endReason} IS NULL)`),
  ],
);

/**
 * A person's own bookings as an iCalendar feed at a secret URL: the URL carries a random token, this row its
 * SHA-256 (the URL is shown once, when made), who it reads for (the identity the owners are asked as: bookings
 * are found by `subject`) and whether it still answers. One active feed per person; making a new one revokes
 * the old, and a revoked feed answers nothing from then on.
 */
export const calendarFeedsTable = pgTable(
  'calendar_feeds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').notNull().unique(),
    subject: text('subject').notNull(),
    institution: text('institution'),
    organization: text('organization'),
    affiliation: text('affiliation').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastReadAt: timestamp('last_read_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('calendar_feeds_active_unique')
      .on(t.subject)
      .where(sql`${t.revokedAt} IS NULL`),
    check('calendar_feeds_affiliation', sql`${t.affiliation} IN ('academic', 'industry')`),
  ],
);

/**
 * How each person wants Kyoyo's e-mail: the language (else their sign-in's) and whether reminders come. Kept by
 * the gateway and carried to the owners in every signed call (`lang`, `rem`), where the mail is written.
 */
export const notificationPreferencesTable = pgTable(
  'notification_preferences',
  {
    subject: text('subject').primaryKey(),
    /** `ja` or `en`; null: the language the sign-in gives. */
    language: text('language'),
    reminders: boolean('reminders').notNull().default(true),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('notification_preferences_language_known', sql`${t.language} IN ('ja', 'en')`)],
);
