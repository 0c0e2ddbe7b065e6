/**
 * `npm start`: the whole demo federation on this machine. An embedded PostgreSQL (or the server named by
 * DATABASE_URL), one database per institution plus the gateway's, migrations, demo data seeded once, one
 * equipment service per institution and the national gateway, and a development mailbox that receives every
 * e-mail they send (the console's Mailbox page shows it); prints the URL and a ready line when every
 * institution answers. `npm start -- --fresh` starts over. Ctrl-C stops everything.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultStateDir, devGatewayKey, devIssuerKey, devKeyPaths } from '@kyoyo/auth';
import {
  connect,
  dropDatabase,
  ensureDatabase,
  equipmentMigrationsFolder,
  equipmentSchema,
  runMigrations,
  startEmbeddedPostgres,
  isEmbeddedPostgresError,
  serverProblem,
  withDatabase,
  type EmbeddedServer,
} from '@kyoyo/db';
import { gatewayMigrationsFolder, gatewaySchema, RegistryRepository } from '@kyoyo/gateway';
import { demoFederationMembers, generateInstitution, toDemoInstitution, DEFAULT_DEMO_SEED } from './demo-data';
import { startProcess, stopAll, type ManagedProcess } from './federation/processes';
import { startMailbox, type Mailbox } from './mailbox/mailbox';
import { isSeeded, seedInstitution } from './seed/seed.repository';

const usage = `usage: npm start [-- --fresh] [-- --institutions N]

Starts the demo federation: embedded PostgreSQL (or DATABASE_URL), institution services, the gateway and a
development mailbox for the e-mail they send.
  --fresh            delete the demo databases and start over
  --institutions N   how many demo institutions (default 6, 1–8)
Environment: PORT (gateway, default 4000), SERVICE_BASE_PORT (default 4101), DATABASE_URL (a PostgreSQL
server to use instead of the embedded one), KYOYO_PG_PORT (embedded server port, default 54329),
MAILBOX_SMTP_PORT (the mailbox's SMTP port, default 2525), MAILBOX_HTTP_PORT (its JSON API, which the
console's Mailbox page reads, default 4025); 0 takes any free port.`;

function fail(message: string): never {
  process.stderr.write(`kyoyo: ${message}\n`);
  process.exit(1);
}

function parseCommandLine() {
  try {
    return parseArgs({
      options: { fresh: { type: 'boolean', default: false }, institutions: { type: 'string' }, help: { type: 'boolean' } },
      strict: true,
    }).values;
  } catch (error) {
    fail(`${(error as Error).message}\n${usage}`);
  }
}
const args = parseCommandLine();
if (args.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}

const env = process.env;
const problems: string[] = [];
const intSetting = (name: string, value: string | undefined, fallback: number, min: number, max: number) => {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) problems.push(`${name} must be a whole number from ${min} to ${max}`);
  return n;
};
const institutionCount = intSetting('--institutions', args.institutions, 6, 1, 8);
const gatewayPort = intSetting('PORT', env.PORT, 4000, 1, 65535);
const serviceBasePort = intSetting('SERVICE_BASE_PORT', env.SERVICE_BASE_PORT, 4101, 1, 65000);
const pgPort = intSetting('KYOYO_PG_PORT', env.KYOYO_PG_PORT, 54329, 1, 65535);
const mailboxSmtpPort = intSetting('MAILBOX_SMTP_PORT', env.MAILBOX_SMTP_PORT, 2525, 0, 65535);
const mailboxHttpPort = intSetting('MAILBOX_HTTP_PORT', env.MAILBOX_HTTP_PORT, 4025, 0, 65535);
if (env.DATABASE_URL && !/^postgres(ql)?:\/\//.test(env.DATABASE_URL)) problems.push('DATABASE_URL must be a postgres:// URL');
if (problems.length > 0) fail(`invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}\n${usage}`);

const stateDir = env.KYOYO_STATE_DIR ?? defaultStateDir;
const logDir = join(stateDir, 'logs');
const started = Date.now();
const say = (line: string) => process.stdout.write(`${line}\n`);
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;

const members = demoFederationMembers({ institutionCount });
const dbNameOf = (code: string) => `kyoyo_${code.replace(/-/g, '_')}`;
const GATEWAY_DB = 'kyoyo_gateway';

let embedded: EmbeddedServer | undefined;
let mailbox: Mailbox | undefined;
const processes: ManagedProcess[] = [];
let stopping = false;

async function shutdown(code: number): Promise<never> {
  stopping = true;
  await stopAll(processes);
  await mailbox?.stop();
  await embedded?.stop();
  process.exit(code);
}

// Ctrl-C reaches us twice, from the terminal and relayed by tsx: a second signal must not cut the shutdown
// short (Node's default would kill us before the embedded server and the services have stopped).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    if (signal === 'SIGINT') say('\nstopping…');
    void shutdown(0);
  });
}

async function databaseServer(): Promise<string> {
  if (env.DATABASE_URL) {
    say(`using the PostgreSQL server of DATABASE_URL`);
    const problem = await serverProblem(env.DATABASE_URL);
    if (problem) fail(`${problem}; start it, or unset DATABASE_URL to use the embedded server`);
    return env.DATABASE_URL;
  }
  const dataDir = join(stateDir, 'pg');
  say(`starting embedded PostgreSQL on port ${pgPort}…`);
  try {
    embedded = await startEmbeddedPostgres({ dataDir, port: pgPort, fresh: args.fresh });
  } catch (error) {
    if (!isEmbeddedPostgresError(error)) throw error;
    fail(
      error.code === 'PORT_IN_USE'
        ? `${error.message}; is another \`npm start\` running? Set KYOYO_PG_PORT to use another port, or DATABASE_URL to use a PostgreSQL server`
        : error.oneLine(),
    );
  }
  say(
    `  PostgreSQL is up, data in ${embedded.dataDir}${embedded.dataDir === dataDir ? '' : ' (where the postgres system user can reach it)'}`,
  );
  return embedded.adminUrl;
}

/** The development mailbox, first of all: a taken port fails at once, before any database work. */
async function devMailbox(): Promise<Mailbox> {
  try {
    return await startMailbox({ host: '127.0.0.1', smtpPort: mailboxSmtpPort, httpPort: mailboxHttpPort });
  } catch (error) {
    const { code, port } = error as NodeJS.ErrnoException & { port?: number };
    if (code !== 'EADDRINUSE') throw error;
    const setting = port === mailboxHttpPort ? 'MAILBOX_HTTP_PORT' : 'MAILBOX_SMTP_PORT';
    fail(
      `port ${port} of the development mailbox is in use; is another \`npm start\` running? Set ${setting} to use another port`,
    );
  }
}

async function prepareDatabases(adminUrl: string): Promise<{ gatewayUrl: string; institutionUrls: Map<string, string> }> {
  if (args.fresh && env.DATABASE_URL) {
    for (const name of [GATEWAY_DB, ...members.map((m) => dbNameOf(m.code))]) await dropDatabase(adminUrl, name);
  }
  const gatewayUrl = withDatabase(adminUrl, GATEWAY_DB);
  await ensureDatabase(adminUrl, GATEWAY_DB);
  await runMigrations(gatewayUrl, gatewayMigrationsFolder);

  const now = new Date();
  const institutionUrls = new Map<string, string>();
  await Promise.all(
    members.map(async (member, index) => {
      const url = withDatabase(adminUrl, dbNameOf(member.code));
      institutionUrls.set(member.code, url);
      await ensureDatabase(adminUrl, dbNameOf(member.code));
      await runMigrations(url, equipmentMigrationsFolder);
      const database = connect(url, equipmentSchema, { max: 2 });
      try {
        if (await isSeeded(database.db)) return;
        const data = generateInstitution(toDemoInstitution(member), index, { seed: DEFAULT_DEMO_SEED, institutionCount, now });
        const seeded = await seedInstitution(database.db, data);
        say(`  seeded ${member.code}: ${seeded.instruments} instruments, ${seeded.bookings} past bookings (${elapsed()})`);
      } finally {
        await database.close();
      }
    }),
  );

  const gateway = connect(gatewayUrl, gatewaySchema, { max: 2 });
  try {
    const registry = new RegistryRepository(gateway.db);
    for (const [index, member] of members.entries()) {
      await registry.upsert({
        code: member.code,
        name: member.name,
        nameEn: member.nameEn,
        prefecture: member.prefecture,
        location: { latitude: member.latitude, longitude: member.longitude },
        serviceUrl: `http://127.0.0.1:${serviceBasePort + index}`,
      });
    }
  } finally {
    await gateway.close();
  }
  return { gatewayUrl, institutionUrls };
}

async function waitUntilReady(url: string, timeoutMs: number): Promise<{ code: string; health: string }[]> {
  const deadline = Date.now() + timeoutMs;
  let last: { code: string; health: string }[] = [];
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) {
        last = ((await res.json()) as { institutions: { code: string; health: string }[] }).institutions;
        if (last.length === members.length && last.every((i) => i.health === 'UP')) return last;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  const down = last.filter((i) => i.health !== 'UP').map((i) => i.code);
  throw new Error(
    `not every institution answered within ${timeoutMs / 1000}s${down.length ? ` (down: ${down.join(', ')})` : ''}`,
  );
}

let ready = false;

/**
 * A process that exits unasked: before the federation is ready, or the gateway at any time, stops
 * everything. An institution's service that stops later is left down, as a real outage would be: its
 * listings stay searchable from the gateway's catalogue (listed in `staleInstitutions` once their harvest
 * is older than the threshold), and what only the owner can answer (a booking, a quote) is
 * `INSTITUTION_UNAVAILABLE`.
 */
const onExit = (name: string, code: number | null) => {
  if (stopping) return;
  const log = join(logDir, `${name}.log`);
  if (ready && name !== 'gateway') {
    process.stderr.write(
      `kyoyo: ${name} stopped (code ${code}); the others keep running and search lists ${name} as unavailable. ` +
        `Restart the demo to bring it back; see ${log}\n`,
    );
    return;
  }
  process.stderr.write(`kyoyo: ${name} exited unexpectedly (code ${code}); see ${log}\n`);
  void shutdown(1);
};

async function main(): Promise<void> {
  await mkdir(logDir, { recursive: true });
  await devIssuerKey(stateDir);
  await devGatewayKey(stateDir);
  const keys = devKeyPaths(stateDir);
  const mail = (mailbox = await devMailbox());

  const adminUrl = await databaseServer();
  say(`preparing ${members.length} institution databases and the gateway's…`);
  const { gatewayUrl, institutionUrls } = await prepareDatabases(adminUrl);

  say(`starting ${members.length} equipment services and the gateway…`);
  members.forEach((member, index) => {
    processes.push(
      startProcess(
        member.code,
        'services/equipment/src/main.ts',
        {
          INSTITUTION_CODE: member.code,
          DATABASE_URL: institutionUrls.get(member.code)!,
          DATABASE_POOL_MAX: '5',
          PORT: String(serviceBasePort + index),
          GATEWAY_PUBLIC_JWK_FILE: keys.gateway,
          INSTITUTION_NAME: member.name,
          SMTP_URL: mail.smtpUrl,
          MAIL_FROM: `${member.name} 共用機器 <noreply@${member.code}.kyoyo.example>`,
          OFFICE_EMAIL: `office@${member.code}.kyoyo.example`,
          CONSOLE_URL: `http://127.0.0.1:${gatewayPort}`,
          MAIL_INTERVAL_MS: '2000',
          NODE_ENV: 'development',
        },
        join(logDir, `${member.code}.log`),
        onExit,
      ),
    );
  });
  processes.push(
    startProcess(
      'gateway',
      'gateway/src/main.ts',
      {
        DATABASE_URL: gatewayUrl,
        PORT: String(gatewayPort),
        GATEWAY_SIGNING_JWK_FILE: keys.gateway,
        DEV_ISSUER_JWK_FILE: keys.issuer,
        HEALTH_INTERVAL_MS: '2000',
        ...(mail.httpUrl ? { DEV_MAILBOX_URL: mail.httpUrl } : {}),
        NODE_ENV: 'development',
      },
      join(logDir, 'gateway.log'),
      onExit,
    ),
  );

  const gatewayUrlPublic = `http://127.0.0.1:${gatewayPort}/graphql`;
  say(`gateway: ${gatewayUrlPublic}   console: http://127.0.0.1:${gatewayPort}/   (logs in ${logDir})`);
  say(
    `mail: every message the demo sends is in the console's Mailbox page (SMTP ${new URL(mail.smtpUrl).host}, API ${mail.httpUrl}/messages)`,
  );
  await waitUntilReady(`http://127.0.0.1:${gatewayPort}/readyz`, 60_000);
  ready = true;
  const services = processes.filter((p) => p.name !== 'gateway').map((p) => `${p.name} ${p.child.pid}`);
  say(`service processes (kill one to see search carry on without it): ${services.join(', ')}`);
  say(
    `Kyoyo is ready: ${members.length} institutions UP (${members.map((m) => m.code).join(', ')}) at ${gatewayUrlPublic} in ${elapsed()}. Ctrl-C stops.`,
  );
}

main().catch(async (error: unknown) => {
  process.stderr.write(`kyoyo: ${(error as Error).message}\n`);
  for (const p of processes) {
    const tail = await readFile(p.logFile, 'utf8').catch(() => '');
    if (tail) process.stderr.write(`--- last lines of ${p.name}.log ---\n${tail.split('\n').slice(-5).join('\n')}\n`);
  }
  await shutdown(1);
});
