/**
 * For integration tests: one equipment service over HTTP on a fresh, migrated database, called the way the
 * gateway calls it (a signed token per call carrying the end user), with a clock the test moves.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { createKeyPair, signServiceToken, type Identity, type Role } from '@kyoyo/auth';
import { connect, equipmentSchema, type Database } from '@kyoyo/db';
import { createLogger } from '@kyoyo/server-kit';
import { createTestDatabase } from '@kyoyo/test-kit';
import { createEquipmentApp, type EquipmentApp, type MailOptions } from '../app';

/** A GraphQL error as the service formats it. */
export interface ServiceError {
  message: string;
  extensions: { code: string; field?: string };
}

export interface ServiceHarness {
  institution: string;
  /** Sends one operation as `who` (null: anonymous). */
  call<T = Record<string, unknown>>(
    who: Identity | null,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{ data?: T | null; errors?: ServiceError[] }>;
  /** Sends one operation and expects it to succeed; its data. */
  ok<T = Record<string, unknown>>(who: Identity | null, query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Sends one operation and expects exactly one error; its code, field and message. */
  failure(
    who: Identity | null,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{ code: string; field: string | undefined; message: string }>;
  /** Row counts of the tables the use cases write, to show that a refusal wrote nothing. */
  rowCounts(): Promise<Record<(typeof WRITTEN_TABLES)[number], number>>;
  /** A second pool for looking at (and arranging) rows directly. */
  probe: Database<typeof equipmentSchema>;
  /** What every request of the service reads as "now". */
  setNow(instant: Date | string): void;
  /** Statements the service sent while `run` ran (not counting postgres.js's type lookup on a new connection). */
  countStatements(run: () => Promise<unknown>): Promise<string[]>;
  stop(): Promise<void>;
}

const WRITTEN_TABLES = [
  'bookings',
  'blackouts',
  'qualifications',
  'open_hours',
  'instruments',
  'fee_rates',
  'listing_changes',
  'people',
  'notifications',
] as const;

const silent = createLogger('test', 'error', {}, () => undefined);

/** Starts a service for `institution` on a fresh database. */
export async function startServiceHarness(institution = 'test-u', poolSize = 20, mail?: MailOptions): Promise<ServiceHarness> {
  const url = await createTestDatabase();
  let now = new Date();
  let recording: string[] | null = null;
  const database = connect(url, equipmentSchema, { max: poolSize, onQuery: (q) => recording?.push(q) });
  const { pair } = await createKeyPair();
  const app: EquipmentApp = await createEquipmentApp({
    institution,
    database,
    gatewayKey: pair.publicKey,
    logger: silent,
    maxBodyBytes: 1024 * 1024,
    production: false,
    clock: () => now,
    mail,
  });
  const endpoint = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}/graphql`;
  const probe = connect(url, equipmentSchema, { max: 2 });
  const call: ServiceHarness['call'] = async (who, query, variables = {}) => {
    const token = await signServiceToken({ identity: who, requestId: randomUUID() }, institution, pair);
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as never;
  };
  return {
    institution,
    probe,
    call,
    async ok(who, query, variables) {
      const { data, errors } = await call(who, query, variables);
      expect(errors).toBeUndefined();
      return data as never;
    },
    async failure(who, query, variables) {
      const { errors } = await call(who, query, variables);
      expect(errors, 'expected one error').toHaveLength(1);
      const [error] = errors as [ServiceError];
      return { code: error.extensions.code, field: error.extensions.field, message: error.message };
    },
    async rowCounts() {
      const counts = await Promise.all(
        WRITTEN_TABLES.map(async (table) => Number((await probe.sql.unsafe(`SELECT count(*) AS n FROM ${table}`))[0]!.n)),
      );
      return Object.fromEntries(WRITTEN_TABLES.map((table, i) => [table, counts[i]!])) as never;
    },
    setNow(instant) {
      now = new Date(instant);
    },
    async countStatements(run) {
      const statements: string[] = [];
      recording = statements;
      try {
        await run();
      } finally {
        recording = null;
      }
      return statements.filter((q) => !q.includes('pg_catalog.pg_type'));
    },
    async stop() {
      await app.stop();
      await probe.close();
    },
  };
}

/** A user as the gateway vouches for them. */
export function userOf(
  id: string,
  options: {
    institution?: string | null;
    organization?: string;
    affiliation?: 'academic' | 'industry';
    roles?: Role[];
    email?: string;
    language?: 'ja' | 'en';
    reminders?: boolean;
  } = {},
): Identity {
  return {
    id,
    institution: options.institution === undefined ? 'kyoto-u' : options.institution,
    organization: options.organization ?? '京都大学',
    affiliation: options.affiliation ?? 'academic',
    roles: options.roles ?? ['RESEARCHER'],
    ...(options.email ? { email: options.email } : {}),
    ...(options.language ? { language: options.language } : {}),
    ...(options.reminders === undefined ? {} : { reminders: options.reminders }),
  };
}
