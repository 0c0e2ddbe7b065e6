import { sql as drizzleSql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { connect, type Database } from './client';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

let database: Database<Record<string, never>>;

beforeAll(() => {
  database = connect(inject('pgAdminUrl'), {}, { max: 2, applicationName: 'kyoyo-pool-usage-test' });
});

afterAll(() => database?.close());

const sleep = (seconds: number) => database.sql`SELECT pg_sleep(${seconds})`;

describe('the pool usage a Database reports', () => {
  it('reads the pool size from the client', () => {
    expect(database.pool.max).toBe(2);
  });

  it('counts statements from their execution until they settle, including those waiting for a connection', async () => {
    const pending = sleep(0.05);
    expect(database.pool.queriesInFlight).toBe(0); // built, not yet run
    const running = [pending.execute(), ...Array.from({ length: 4 }, () => sleep(0.2).execute())];
    expect(database.pool.queriesInFlight).toBe(5);
    await pending;
    expect(database.pool.queriesInFlight).toBe(4);
    await Promise.all(running);
    expect(database.pool.queriesInFlight).toBe(0);
  });

  it('counts a failed statement until it fails, and nothing for identifiers and fragments', async () => {
    const failing = database.sql`SELECT 1 / 0`.execute();
    expect(database.pool.queriesInFlight).toBe(1);
    await expect(failing).rejects.toThrow(/division by zero/);
    expect(database.pool.queriesInFlight).toBe(0);
    database.sql('a_column');
    database.sql({ a: 1 });
    expect(database.pool.queriesInFlight).toBe(0);
  });

  it('counts what Drizzle sends, and a transaction once for its whole duration', async () => {
    const select = database.db.execute(drizzleSql`SELECT pg_sleep(0.3)`).then((result) => result);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(database.pool.queriesInFlight).toBe(1);
    await select;
    expect(database.pool.queriesInFlight).toBe(0);

    const seen: number[][] = [];
    await database.db.transaction(async (tx) => {
      seen.push([database.pool.transactionsInFlight, database.pool.queriesInFlight]);
      await tx.execute(drizzleSql`SELECT pg_sleep(0.02)`);
      seen.push([database.pool.transactionsInFlight, database.pool.queriesInFlight]);
    });
    expect(seen).toEqual([
      [1, 0],
      [1, 0],
    ]);
    expect(database.pool.transactionsInFlight).toBe(0);
    await expect(
      database.db.transaction(async () => {
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(database.pool.transactionsInFlight).toBe(0);
  });
});
