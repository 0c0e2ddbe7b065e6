import { eq, inArray, sql } from 'drizzle-orm';
import type { Identity } from '@kyoyo/auth';
import { equipmentSchema } from '@kyoyo/db';
import type { EquipmentDb, Transaction } from '../instruments/instruments.repository';

const { peopleTable: t, instrumentsTable } = equipmentSchema;

/** Where and how this institution writes to someone. */
export interface Person {
  subject: string;
  email: string | null;
  language: 'ja' | 'en';
  reminders: boolean;
}

/** A row of `people` as a `Person` (a language the table's check lets in is one Kyoyo writes). */
export function toPerson(row: Pick<typeof t.$inferSelect, 'subject' | 'email' | 'language' | 'reminders'>): Person {
  return { subject: row.subject, email: row.email, language: row.language === 'en' ? 'en' : 'ja', reminders: row.reminders };
}

/**
 * Keeps what a signed call says about where to write to its caller: address, language, reminders. Called in
 * the transaction of what the caller did (a booking, joining a waitlist), so the messages that transaction
 * writes go to the address it carried. A call without an address keeps the one known from before.
 */
export async function rememberPerson(db: EquipmentDb | Transaction, who: Identity): Promise<void> {
  const row = {
    subject: who.id,
    email: who.email ?? null,
    language: who.language ?? 'ja',
    reminders: who.reminders ?? true,
  };
  await db
    .insert(t)
    .values(row)
    .onConflictDoUpdate({
      target: t.subject,
      set: {
        email: sql`coalesce(excluded.email, ${t.email})`,
        language: sql`excluded.language`,
        reminders: sql`excluded.reminders`,
        updatedAt: sql`now()`,
      },
      // Nothing changed: no new row version.
      setWhere: sql`(${t.email}, ${t.language}, ${t.reminders}) IS DISTINCT FROM
        (coalesce(excluded.email, ${t.email}), excluded.language, excluded.reminders)`,
    });
}

/**
 * Brings what this institution knows of `who` up to date (address, language, reminders), if it knows them at
 * all: someone who never booked here is not added. Whether it knew them.
 */
export async function refreshPerson(db: EquipmentDb | Transaction, who: Identity): Promise<boolean> {
  const updated = await db
    .update(t)
    .set({
      ...(who.email ? { email: who.email } : {}),
      language: who.language ?? 'ja',
      reminders: who.reminders ?? true,
      updatedAt: sql`now()`,
    })
    .where(eq(t.subject, who.id))
    .returning({ subject: t.subject });
  return updated.length > 0;
}

/** An instrument's name and, when this institution knows them, where to write to `subject`: one query. */
export async function instrumentAndPerson(
  db: EquipmentDb | Transaction,
  instrumentId: number,
  subject: string,
): Promise<{ instrumentName: string | null; person: Person | null }> {
  const [row] = await db
    .select({ name: instrumentsTable.name, person: t })
    .from(instrumentsTable)
    .leftJoin(t, eq(t.subject, subject))
    .where(eq(instrumentsTable.id, instrumentId));
  const person = row?.person;
  return {
    instrumentName: row?.name ?? null,
    person: person ? toPerson(person) : null,
  };
}

/** The people among `subjects` this institution can write to, by subject. */
export async function peopleOf(db: EquipmentDb | Transaction, subjects: readonly string[]): Promise<Map<string, Person>> {
  if (subjects.length === 0) return new Map();
  const rows = await db
    .select()
    .from(t)
    .where(inArray(t.subject, [...new Set(subjects)]));
  return new Map(rows.map((r) => [r.subject, toPerson(r)]));
}
