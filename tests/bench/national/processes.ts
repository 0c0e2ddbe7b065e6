/**
 * The benchmark's running systems: equipment services and gateways as separate Node processes, exactly as
 * `npm start` runs them (same entry points, same settings but for the limits noted), and what they use.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parsePrivateJwk, publicJwkOf } from '@kyoyo/auth';
import { freePort } from '@kyoyo/db';
import { startProcess, stopAll, type ManagedProcess } from '../../../infra/src/federation/processes';

async function waitFor(url: string, timeoutMs: number, ready: (body: unknown) => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok && ready(await res.json())) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not become ready within ${timeoutMs / 1000} s`);
}

export interface Keys {
  gateway: string;
  issuer: string;
}

/** A group of processes started together and stopped together. */
export class ProcessGroup {
  readonly processes: ManagedProcess[] = [];
  /** Processes that exited while they should have been serving. */
  readonly failures: string[] = [];
  private stopping = false;

  constructor(private readonly logDir: string) {}

  private start(name: string, entry: string, env: Record<string, string>): ManagedProcess {
    const process = startProcess(name, entry, env, join(this.logDir, `${name}.log`), (who, code) => {
      if (!this.stopping) this.failures.push(`${who} exited (code ${code}); see ${this.logDir}/${who}.log`);
    });
    this.processes.push(process);
    return process;
  }

  /** One institution's equipment service; resolves with its URL once it answers `/readyz`. */
  async service(code: string, databaseUrl: string, keys: Keys, poolMax: number): Promise<string> {
    const port = await freePort();
    this.start(code, 'services/equipment/src/main.ts', {
      INSTITUTION_CODE: code,
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_MAX: String(poolMax),
      PORT: String(port),
      // Production services take only the gateway's public key.
      GATEWAY_PUBLIC_JWK: JSON.stringify(publicJwkOf(parsePrivateJwk(readFileSync(keys.gateway, 'utf8')))),
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    });
    const url = `http://127.0.0.1:${port}`;
    await waitFor(`${url}/readyz`, 60_000);
    return url;
  }

  /**
   * The national gateway over the registry in `databaseUrl`; resolves once every institution is UP. The
   * per-address and per-user limits are off: one load generator stands for many users.
   */
  async gateway(name: string, databaseUrl: string, keys: Keys, institutions: number): Promise<string> {
    const port = await freePort();
    this.start(name, 'gateway/src/main.ts', {
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      GATEWAY_SIGNING_JWK_FILE: keys.gateway,
      DEV_ISSUER_JWK_FILE: keys.issuer,
      RATE_LIMIT_PER_USER: '0',
      RATE_LIMIT_PER_ADDRESS: '0',
      MAX_IN_FLIGHT_PER_ADDRESS: '0',
      INSTITUTION_TIMEOUT_MS: '10000',
      LOG_LEVEL: 'warn',
      // Production mode but for the key: the development issuer signs the benchmark's users.
      NODE_ENV: 'development',
    });
    const url = `http://127.0.0.1:${port}`;
    await waitFor(`${url}/readyz`, 60_000, (body) => {
      const list = (body as { institutions?: { health: string }[] }).institutions ?? [];
      return list.length === institutions && list.every((i) => i.health === 'UP');
    });
    return url;
  }

  /** Throws when a process of the group has died: its figures would be meaningless. */
  assertAlive(): void {
    if (this.failures.length > 0) throw new Error(`the benchmark lost processes: ${this.failures.join('; ')}`);
  }

  pidOf(name: string): number | undefined {
    return this.processes.find((p) => p.name === name)?.child.pid;
  }

  /**
   * Runs `task` with the processes named `names` paused (SIGSTOP, then SIGCONT whatever happens): what the
   * others measure meanwhile is free of their CPU, as when they run on machines of their own.
   */
  async whilePaused<T>(names: readonly string[], task: () => Promise<T>): Promise<T> {
    const pids = names.map((name) => this.pidOf(name)).filter((pid): pid is number => pid !== undefined);
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    try {
      return await task();
    } finally {
      for (const pid of pids) process.kill(pid, 'SIGCONT');
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await stopAll(this.processes);
    this.processes.length = 0;
    this.stopping = false;
  }
}

/** Resident set size of a process in bytes (Linux `/proc`), or null when it is gone. */
export function rssOf(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Memory of the PostgreSQL server: the sum of its processes' proportional set sizes (shared buffers
 * counted once, not per backend), or null where `/proc` does not tell.
 */
export function postgresPss(): number | null {
  let total = 0;
  let found = false;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
      const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${entry}/smaps_rollup`, 'utf8'));
      if (match) {
        total += Number(match[1]) * 1024;
        found = true;
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return found ? total : null;
}

/** Peak resident memory per named process while sampling runs. */
export class MemorySampler {
  readonly peaks = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly targets: () => { name: string; pid: number | undefined }[]) {}

  sample(): void {
    const note = (name: string, bytes: number | null) => {
      if (bytes !== null) this.peaks.set(name, Math.max(this.peaks.get(name) ?? 0, bytes));
    };
    for (const { name, pid } of this.targets()) if (pid) note(name, rssOf(pid));
    note('load generator (this process)', process.memoryUsage.rss());
    note('PostgreSQL (all processes, PSS)', postgresPss());
  }

  start(everyMs = 500): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }
}
