import { doublePrecision, pgTable, text, timestamp, check } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

/** The gateway's own database: the institution registry (and, later, duplicate-check records). */
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
