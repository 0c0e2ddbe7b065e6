import { check, doublePrecision, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

/** The gateway's own database: the institution registry and duplicate-check records. */
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
