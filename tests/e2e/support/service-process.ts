import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is tests/e2e/support/service-process.ts). */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** The real process entry of an equipment service, as `npm start` runs it (infra/src/start.ts). */
const ENTRY = 'services/equipment/src/main.ts';
/** How much of a process's output to keep for error messages. */
const OUTPUT_KEPT = 16 * 1024;

export interface ServiceProcessOptions {
  institution: string;
  /** The institution's (migrated) database. */
  databaseUrl: string;
  /** The gateway's public signing key as a JWK (`GATEWAY_PUBLIC_JWK`). */
  gatewayPublicJwk: object;
  /** A fixed loopback port, kept across restarts so that the gateway's registry entry stays valid. */
  port: number;
  /** How long to wait for `/healthz` after a start (default 30 s). */
  startTimeoutMs?: number;
}

/**
 * One institution's equipment service run as a real child process (`node --import tsx
 * services/equipment/src/main.ts`, configured through the environment as `npm start` does), so a test can
 * kill it with a real signal — SIGKILL leaves no time to drain or close anything — and start it again on
 * the same port and database.
 */
export interface ServiceProcess {
  readonly url: string;
  readonly port: number;
  /** The running child's process id, or null while it is not running. */
  readonly pid: number | null;
  readonly running: boolean;
  /** Starts the process (again) and resolves once `/healthz` answers. */
  start(): Promise<void>;
  /** Sends `signal` and resolves with how the process ended. */
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Stops the process gracefully (SIGTERM, SIGKILL after `graceMs`); nothing when it is not running. */
  stop(graceMs?: number): Promise<void>;
  /** The last output (stdout and stderr) of the current or last run. */
  output(): string;
}

/** A loopback TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

const running = new Set<ChildProcess>();
// A test worker that dies must not leave services behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Creates (without starting) an equipment service process for `options.institution`. */
export function serviceProcess(options: ServiceProcessOptions): ServiceProcess {
  const url = `http://127.0.0.1:${options.port}`;
  let child: ChildProcess | null = null;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> = Promise.resolve({ code: null, signal: null });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEPT);
  };

  async function waitUntilHealthy(current: ChildProcess): Promise<void> {
    const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
    while (Date.now() < deadline) {
      if (current.exitCode !== null || current.signalCode !== null) break;
      try {
        const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    current.kill('SIGKILL');
    throw new Error(`${options.institution}'s service did not become healthy at ${url}; its output:\n${output}`);
  }

  const handle: ServiceProcess = {
    url,
    port: options.port,
    get pid() {
      return child?.pid ?? null;
    },
    get running() {
      return child !== null;
    },
    async start() {
      if (child) throw new Error(`${options.institution}'s service is already running`);
      output = '';
      const current = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
        cwd: repoRoot,
        env: {
          ...process.env,
          INSTITUTION_CODE: options.institution,
          DATABASE_URL: options.databaseUrl,
          DATABASE_POOL_MAX: '4',
          HOST: '127.0.0.1',
          PORT: String(options.port),
          GATEWAY_PUBLIC_JWK: JSON.stringify(options.gatewayPublicJwk),
          LOG_LEVEL: 'warn',
          NODE_ENV: 'test',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = current;
      running.add(current);
      current.stdout?.on('data', keep);
      current.stderr?.on('data', keep);
      exited = new Promise((resolve) => {
        current.once('exit', (code, signal) => {
          running.delete(current);
          if (child === current) child = null;
          resolve({ code, signal });
        });
      });
      await waitUntilHealthy(current);
    },
    async kill(signal = 'SIGKILL') {
      if (!child) throw new Error(`${options.institution}'s service is not running`);
      child.kill(signal);
      return exited;
    },
    async stop(graceMs = 5_000) {
      const current = child;
      if (!current) return;
      current.kill('SIGTERM');
      const timer = setTimeout(() => current.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    output: () => output,
  };
  return handle;
}
