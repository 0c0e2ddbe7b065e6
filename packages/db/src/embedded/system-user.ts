/**
 * Who the embedded server runs as. PostgreSQL refuses to run as root, so when we are root it runs as the
 * `postgres` system user (created when missing); otherwise as ourselves.
 */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import { EmbeddedPostgresError, lastLine } from './embedded-errors';

const run = promisify(execFile);

/** The account the server's processes run as: uid, primary gid and every group it belongs to. */
export interface SystemUser {
  name: string;
  uid: number;
  gid: number;
  groups: readonly number[];
}

export const POSTGRES_SYSTEM_USER = 'postgres';

export function runningAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Ourselves, for the permission checks. */
export function currentUser(): SystemUser {
  const uid = process.getuid?.() ?? -1;
  const gid = process.getgid?.() ?? -1;
  return { name: String(uid), uid, gid, groups: process.getgroups?.() ?? [gid] };
}

async function lookUp(name: string): Promise<SystemUser | undefined> {
  try {
    const [uid, gid, groups] = await Promise.all(
      ['-u', '-g', '-G'].map(async (flag) => (await run('id', [flag, name])).stdout.trim()),
    );
    return { name, uid: Number(uid), gid: Number(gid), groups: groups!.split(/\s+/).map(Number) };
  } catch {
    return undefined;
  }
}

/** Commands that add a system user without a home or a login shell, tried in order (glibc, Debian, BusyBox). */
const CREATE_USER_COMMANDS: readonly (readonly string[])[] = [
  ['useradd', '--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', POSTGRES_SYSTEM_USER],
  ['adduser', '--system', '--group', '--no-create-home', POSTGRES_SYSTEM_USER],
  ['adduser', '-S', '-D', '-H', POSTGRES_SYSTEM_USER],
];

/** The `postgres` system user, created when missing. */
export async function postgresSystemUser(): Promise<SystemUser> {
  const existing = await lookUp(POSTGRES_SYSTEM_USER);
  if (existing) return existing;
  let lastError = '';
  for (const [command, ...args] of CREATE_USER_COMMANDS) {
    try {
      await run(command!, args);
      const created = await lookUp(POSTGRES_SYSTEM_USER);
      if (created) return created;
    } catch (error) {
      const failure = error as NodeJS.ErrnoException & { stderr?: string };
      if (failure.code !== 'ENOENT') lastError = lastLine(failure.stderr ?? '') || failure.message;
    }
  }
  throw new EmbeddedPostgresError(
    'SYSTEM_USER_UNAVAILABLE',
    `running as root, and PostgreSQL will not: the unprivileged "${POSTGRES_SYSTEM_USER}" system user is missing and could not be created${lastError ? ` (${lastError})` : ''}`,
    `create it (useradd --system ${POSTGRES_SYSTEM_USER}), run as an ordinary user, or set DATABASE_URL to a PostgreSQL server`,
  );
}

/** Whether `user` may pass through (search) the directory with this mode and owner. */
function maySearch(user: SystemUser, mode: number, owner: number, group: number): boolean {
  if (user.uid === 0) return true;
  if (owner === user.uid) return (mode & 0o100) !== 0;
  if (user.groups.includes(group) || group === user.gid) return (mode & 0o010) !== 0;
  return (mode & 0o001) !== 0;
}

/**
 * Whether `user` can reach `path`: every existing directory from the root down to it may be searched. A
 * missing tail is fine as long as what exists above it is reachable.
 */
export async function canReach(user: SystemUser, path: string): Promise<boolean> {
  const chain: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of chain) {
    let info;
    try {
      info = await stat(dir);
    } catch {
      return true;
    }
    if (!maySearch(user, info.mode, info.uid, info.gid)) return false;
  }
  return true;
}
