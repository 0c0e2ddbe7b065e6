/**
 * The embedded server's start-up failures: each is an EmbeddedPostgresError with a one-line message and
 * nothing left behind. Real binaries, real clusters in a temporary folder.
 */
import { chmod, mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgresError, freePort, ROOT_DATA_ROOT, startEmbeddedPostgres, type EmbeddedServer } from './index';
import { runningAsRoot } from './system-user';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kyoyo-embedded-'));
  // Reachable for the postgres system user when we are root, so the clusters stay where they are asked for.
  await chmod(work, 0o755);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function failure(start: Promise<EmbeddedServer>): Promise<EmbeddedPostgresError> {
  const outcome = await start.then(
    async (server) => {
      await server.stop();
      return undefined;
    },
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(EmbeddedPostgresError);
  const error = outcome as EmbeddedPostgresError;
  expect(error.oneLine()).not.toContain('\n');
  return error;
}

describe('startEmbeddedPostgres', () => {
  it('initialises a cluster, serves it, keeps it when persistent and reuses it', async () => {
    const dataDir = join(work, 'kept', 'data');
    const first = await startEmbeddedPostgres({ dataDir });
    const sql = postgres(first.adminUrl, { max: 1, onnotice: () => undefined });
    await sql`create table kept (id int)`;
    await sql.end();
    await first.stop();

    const second = await startEmbeddedPostgres({ dataDir });
    const again = postgres(second.adminUrl, { max: 1 });
    expect(await again`select count(*)::int as n from kept`).toEqual([{ n: 0 }]);
    await again.end();
    await second.stop();
    // No staging folders beside the cluster.
    expect(await readdir(join(work, 'kept'))).toEqual(['data']);
  });

  it('deletes a cluster that is not persistent when it stops', async () => {
    const server = await startEmbeddedPostgres({ dataDir: join(work, 'gone', 'data'), persistent: false });
    await server.stop();
    expect(await readdir(join(work, 'gone'))).toEqual([]);
  });

  it('refuses a port that is taken', async () => {
    const port = await freePort();
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      const error = await failure(startEmbeddedPostgres({ dataDir: join(work, 'port', 'data'), port }));
      expect(error.code).toBe('PORT_IN_USE');
      expect(error.message).toContain(String(port));
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('refuses a data directory made by another major version, and --fresh starts it over', async () => {
    const dataDir = join(work, 'old', 'data');
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'PG_VERSION'), '16\n');
    const error = await failure(startEmbeddedPostgres({ dataDir }));
    expect(error.code).toBe('DATA_DIR_VERSION_MISMATCH');
    expect(error.message).toMatch(/PostgreSQL 16.*PostgreSQL 18/);
    expect(error.hint).toContain('--fresh');

    const fresh = await startEmbeddedPostgres({ dataDir, fresh: true, persistent: false });
    await fresh.stop();
  });

  it('refuses a folder that is not a cluster and leaves it as it was', async () => {
    const dataDir = join(work, 'other', 'data');
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'notes.txt'), 'mine\n');
    const error = await failure(startEmbeddedPostgres({ dataDir }));
    expect(error.code).toBe('DATA_DIR_NOT_A_CLUSTER');
    expect(await readdir(dataDir)).toEqual(['notes.txt']);
  });

  it('refuses a data directory another server is running on', async () => {
    const dataDir = join(work, 'busy', 'data');
    const running = await startEmbeddedPostgres({ dataDir, persistent: false });
    try {
      const error = await failure(startEmbeddedPostgres({ dataDir }));
      expect(error.code).toBe('DATA_DIR_IN_USE');
      expect(error.message).toContain(dataDir);
    } finally {
      await running.stop();
    }
  });

  it('as root, moves a cluster the postgres user could not reach out of a private folder; otherwise keeps it there', async () => {
    const privateDir = await mkdtemp(join(work, 'private-'));
    const dataDir = join(privateDir, 'data');
    const server = await startEmbeddedPostgres({ dataDir, persistent: false });
    try {
      if (runningAsRoot()) expect(server.dataDir.startsWith(`${ROOT_DATA_ROOT}/`)).toBe(true);
      else expect(server.dataDir).toBe(dataDir);
      const sql = postgres(server.adminUrl, { max: 1 });
      expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);
      await sql.end();
    } finally {
      await server.stop();
    }
  });
});
