/**
 * A federation spread over network namespaces: the gateway host and one host per institution (each with
 * its own embedded PostgreSQL, see host.ts), joined through the router of network.ts. The test reaches the
 * gateway over the client link and signs its own identity tokens with the development issuer's key.
 */
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import {
  devGatewayKey,
  devIssuerKey,
  devKeyPaths,
  DEV_AUDIENCE,
  DEV_ISSUER,
  signIdentityToken,
  type Identity,
} from '@kyoyo/auth';
import { demoFederationMembers } from '../../../infra/src/demo-data';
import { buildDelayProgram, Network, removeLeftovers, type Host } from './network';
import type { HostSettings } from './host';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const SERVICE_PORT = 4100;
const GATEWAY_PORT = 4000;

export interface GraphQLTiming<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
  ms: number;
}

export interface NetnsFederationOptions {
  institutionCount: number;
  /** Each institution call's time budget at the gateway (INSTITUTION_TIMEOUT_MS). */
  timeoutMs: number;
  /** How often the gateway probes institutions (HEALTH_INTERVAL_MS). */
  healthIntervalMs: number;
  /** Age beyond which search lists an institution's part of the catalogue as stale (CATALOGUE_STALE_AFTER_MS). */
  staleAfterMs: number;
}

export class NetnsFederation {
  readonly network: Network;
  readonly codes: string[];
  private readonly processes = new Map<string, ChildProcess>();
  private issuer!: Awaited<ReturnType<typeof devIssuerKey>>;

  private constructor(
    readonly dir: string,
    readonly options: NetnsFederationOptions,
  ) {
    this.network = new Network(options.institutionCount, join(dir, 'kyoyo-nfq-delay'));
    this.codes = demoFederationMembers({ institutionCount: options.institutionCount }).map((m) => m.code);
  }

  get url(): string {
    return `http://${this.network.gatewayClientAddress}:${GATEWAY_PORT}`;
  }

  /** The institution host serving `code`. */
  host(code: string): Host {
    return this.network.institutions[this.codes.indexOf(code)]!;
  }

  /** Builds the network, starts every host and resolves once the gateway reports every institution UP. */
  static async start(options: NetnsFederationOptions, log: (line: string) => void): Promise<NetnsFederation> {
    await removeLeftovers();
    const dir = await mkdtemp(join(tmpdir(), 'kyoyo-netns-'));
    // Each host's PostgreSQL runs as the `postgres` user when we are root: it must reach its directory.
    await chmod(dir, 0o755);
    const federation = new NetnsFederation(dir, options);
    try {
      await federation.boot(log);
    } catch (error) {
      await federation.stop();
      throw error;
    }
    return federation;
  }

  private async boot(log: (line: string) => void): Promise<void> {
    const started = Date.now();
    await mkdir(join(this.dir, 'logs'), { recursive: true });
    await buildDelayProgram(join(this.dir, 'kyoyo-nfq-delay'));
    await this.network.create();
    log(`network: gateway + ${this.codes.length} institution hosts, latency by ${this.network.latencyMechanism}`);

    const stateDir = join(this.dir, 'state');
    const gatewayKey = await devGatewayKey(stateDir);
    this.issuer = await devIssuerKey(stateDir);
    const keys = devKeyPaths(stateDir);
    const { d: _private, ...publicJwk } = JSON.parse(await readFile(keys.gateway, 'utf8')) as Record<string, unknown>;
    const publicKeyFile = join(stateDir, 'keys', 'gateway.public.jwk.json');
    await writeFile(publicKeyFile, JSON.stringify({ ...publicJwk, kid: gatewayKey.kid }));

    const services: Record<string, string> = {};
    await Promise.all(
      this.network.institutions.map((host, index) => {
        services[this.codes[index]!] = `http://${host.address}:${SERVICE_PORT}`;
        return this.startHost(host, {
          role: 'institution',
          memberIndex: index,
          memberCount: this.codes.length,
          address: host.address,
          port: SERVICE_PORT,
          pgPort: 54_501 + index,
          dir: join(this.dir, host.name),
          gatewayKeyFile: publicKeyFile,
        });
      }),
    );
    await this.startHost(this.network.gateway, {
      role: 'gateway',
      services,
      issuerKeyFile: keys.issuer,
      timeoutMs: this.options.timeoutMs,
      healthIntervalMs: this.options.healthIntervalMs,
      staleAfterMs: this.options.staleAfterMs,
      address: this.network.gatewayClientAddress,
      port: GATEWAY_PORT,
      pgPort: 54_500,
      dir: join(this.dir, 'gateway'),
      gatewayKeyFile: keys.gateway,
    });
    await this.waitUntil(async () => (await this.health()).every((i) => i.health === 'UP'), 120_000, 'every institution UP');
    // The gateway harvests each institution's full listing once it joins: search is complete once it has.
    const token = await this.token({
      id: 'netns-boot',
      institution: null,
      organization: null,
      affiliation: 'academic',
      roles: ['RESEARCHER'],
    });
    await this.waitUntil(
      async () => {
        const answer = await this.graphql<{
          searchInstruments: { unavailableInstitutions: unknown[]; staleInstitutions: unknown[] };
        }>('{ searchInstruments(first: 1) { unavailableInstitutions { code } staleInstitutions { code } } }', {}, token);
        const result = answer.data?.searchInstruments;
        return !!result && result.unavailableInstitutions.length === 0 && result.staleInstitutions.length === 0;
      },
      120_000,
      'every institution in the national catalogue',
    );
    log(`federation ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  private async startHost(host: Host, settings: HostSettings): Promise<void> {
    await mkdir(settings.dir, { recursive: true });
    const logFile = join(this.dir, 'logs', `${host.name}.log`);
    const child = this.network.spawnIn(host, process.execPath, ['--import', 'tsx', 'tests/netns/support/host.ts'], {
      cwd: repoRoot,
      env: { ...process.env, KYOYO_HOST: JSON.stringify(settings) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = createWriteStream(logFile);
    child.stdout!.pipe(out, { end: false });
    child.stderr!.pipe(out, { end: false });
    this.processes.set(host.name, child);
    // Started once its service answers on the host's address (institutions) or its port (gateway).
    const url = settings.role === 'gateway' ? `${this.url}/healthz` : `http://${settings.address}:${settings.port}/healthz`;
    await this.waitUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`${host.name} exited: ${await this.logTail(host.name)}`);
        if (settings.role === 'gateway') return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
        // The test's namespace has no route to institution hosts (only the gateway reaches them).
        return (await readFile(logFile, 'utf8')).includes('started services/equipment/src/main.ts');
      },
      120_000,
      `${host.name} to start`,
    );
  }

  /** The last lines of a host's log. */
  async logTail(name: string, lines = 15): Promise<string> {
    const text = await readFile(join(this.dir, 'logs', `${name}.log`), 'utf8').catch(() => '');
    return text.split('\n').slice(-lines).join('\n');
  }

  /** Polls `check` every 50 ms until it is true; throws after `timeoutMs`. Resolves with the time it took. */
  async waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
    const started = performance.now();
    let lastError: unknown;
    while (performance.now() - started < timeoutMs) {
      try {
        if (await check()) return performance.now() - started;
      } catch (error) {
        lastError = error;
        if ((error as Error).message.includes('exited:')) throw error;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (${String(lastError)})` : ''}`);
  }

  /**
   * Runs one SQL statement in `code`'s own database, from inside its host (the owner's own write: the test's
   * namespace has no route there), and returns the rows. Whatever it changes travels by the change feed.
   */
  async sqlAt<T = Record<string, unknown>>(code: string, statement: string): Promise<T[]> {
    const host = this.host(code);
    const url = await readFile(join(this.dir, host.name, 'database-url'), 'utf8');
    const script = `import postgres from 'postgres';
const sql = postgres(process.env.KYOYO_SQL_URL, { max: 1, onnotice: () => undefined });
try { process.stdout.write(JSON.stringify(await sql.unsafe(process.env.KYOYO_SQL))); } finally { await sql.end(); }`;
    const child = this.network.spawnIn(host, process.execPath, ['--input-type=module', '-e', script], {
      cwd: repoRoot,
      env: {
        ...process.env,
        KYOYO_SQL_URL: url,
        KYOYO_SQL: statement,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const [exitCode] = (await once(child, 'exit')) as [number | null];
    if (exitCode !== 0) throw new Error(`SQL at ${code} failed (exit ${exitCode}): ${err.trim()}`);
    return JSON.parse(out) as T[];
  }

  /** The gateway's view of each institution (`/readyz`). */
  async health(): Promise<{ code: string; health: string }[]> {
    const res = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { institutions?: { code: string; health: string }[] };
    return body.institutions ?? [];
  }

  /** A bearer token for `identity`, signed by the development issuer the gateway trusts. */
  token(identity: Identity): Promise<string> {
    return signIdentityToken(identity, this.issuer, { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, ttlSeconds: 3600 });
  }

  /** Sends one GraphQL request and times it from the test's side. */
  async graphql<T>(query: string, variables: Record<string, unknown>, token?: string): Promise<GraphQLTiming<T>> {
    const started = performance.now();
    const res = await fetch(`${this.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await res.json()) as Omit<GraphQLTiming<T>, 'ms'>;
    return { ...body, ms: performance.now() - started };
  }

  /** Stops every host (their databases with them) and removes the network and the files. */
  async stop(): Promise<void> {
    await Promise.all(
      [...this.processes.values()].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }),
    );
    await this.network.destroy();
    if (!process.env.KYOYO_NETNS_KEEP) await rm(this.dir, { recursive: true, force: true });
  }
}
