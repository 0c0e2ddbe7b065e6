/**
 * One host of the multi-host test, run inside its own network namespace (`ip netns exec NS node --import
 * tsx tests/netns/support/host.ts`): its own embedded PostgreSQL on the namespace's loopback, the production
 * migrations, then the real process entry of an equipment service (demo data of one institution seeded
 * first) or of the gateway (registry entries pointing at the other hosts' addresses). The process it starts
 * listens on the host's own address; SIGTERM stops it, then the database.
 *
 * Settings come as one JSON document in KYOYO_HOST (see `HostSettings`); output goes to stdout/stderr,
 * which the test writes to a log file.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  connect,
  ensureDatabase,
  equipmentMigrationsFolder,
  equipmentSchema,
  runMigrations,
  startEmbeddedPostgres,
  withDatabase,
} from '@kyoyo/db';
import { gatewayMigrationsFolder, gatewaySchema, RegistryRepository } from '@kyoyo/gateway';
import { DEFAULT_DEMO_SEED, demoFederationMembers, generateInstitution, toDemoInstitution } from '../../../infra/src/demo-data';
import { seedInstitution } from '../../../infra/src/seed/seed.repository';

export interface InstitutionHostSettings {
  role: 'institution';
  /** Index of the institution among the demo federation's members. */
  memberIndex: number;
  memberCount: number;
}

export interface GatewayHostSettings {
  role: 'gateway';
  /** Each institution's service URL, by institution code. */
  services: Record<string, string>;
  /** Development issuer's key file (tokens the test signs). */
  issuerKeyFile: string;
  timeoutMs: number;
  healthIntervalMs: number;
  staleAfterMs: number;
}

export type HostSettings = (InstitutionHostSettings | GatewayHostSettings) & {
  /** This host's address (inside its namespace), where its process listens. */
  address: string;
  port: number;
  /** Port of the host's embedded PostgreSQL (namespaces share the file system, so its socket too). */
  pgPort: number;
  /** Directory for the host's database. */
  dir: string;
  /** The gateway's private signing key file (the gateway signs with it; services take its public part). */
  gatewayKeyFile: string;
};

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const settings = JSON.parse(process.env.KYOYO_HOST ?? 'null') as HostSettings | null;
if (!settings) {
  process.stderr.write('host: KYOYO_HOST (JSON settings) is required\n');
  process.exit(2);
}
const say = (line: string) => process.stdout.write(`host: ${line}\n`);

const pg = await startEmbeddedPostgres({ dataDir: join(settings.dir, 'pg'), port: settings.pgPort, persistent: false });
let child: ReturnType<typeof spawn> | undefined;

async function stop(code: number): Promise<never> {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await pg.stop();
  process.exit(code);
}
process.once('SIGTERM', () => void stop(0));
process.once('SIGINT', () => void stop(0));

try {
  const url = withDatabase(pg.adminUrl, 'kyoyo');
  await ensureDatabase(pg.adminUrl, 'kyoyo');
  // For the test's own statements run inside this host (NetnsFederation.sqlAt).
  await writeFile(join(settings.dir, 'database-url'), url);
  let entry: string;
  let env: Record<string, string>;
  if (settings.role === 'institution') {
    const member = demoFederationMembers({ institutionCount: settings.memberCount })[settings.memberIndex]!;
    await runMigrations(url, equipmentMigrationsFolder);
    const database = connect(url, equipmentSchema, { max: 2 });
    try {
      const data = generateInstitution(toDemoInstitution(member), settings.memberIndex, {
        seed: DEFAULT_DEMO_SEED,
        institutionCount: settings.memberCount,
        now: new Date(),
      });
      const seeded = await seedInstitution(database.db, data);
      say(`seeded ${member.code}: ${seeded.instruments} instruments`);
    } finally {
      await database.close();
    }
    entry = 'services/equipment/src/main.ts';
    env = {
      INSTITUTION_CODE: member.code,
      GATEWAY_PUBLIC_JWK_FILE: settings.gatewayKeyFile,
      DATABASE_POOL_MAX: '5',
      NODE_ENV: 'production',
    };
  } else {
    await runMigrations(url, gatewayMigrationsFolder);
    const members = demoFederationMembers({ institutionCount: Object.keys(settings.services).length });
    const database = connect(url, gatewaySchema, { max: 2 });
    try {
      const registry = new RegistryRepository(database.db);
      for (const member of members) {
        const serviceUrl = settings.services[member.code];
        if (!serviceUrl) throw new Error(`no service address for ${member.code}`);
        await registry.upsert({
          code: member.code,
          name: member.name,
          nameEn: member.nameEn,
          prefecture: member.prefecture,
          location: { latitude: member.latitude, longitude: member.longitude },
          serviceUrl,
        });
      }
    } finally {
      await database.close();
    }
    entry = 'gateway/src/main.ts';
    env = {
      GATEWAY_SIGNING_JWK_FILE: settings.gatewayKeyFile,
      DEV_ISSUER_JWK_FILE: settings.issuerKeyFile,
      INSTITUTION_TIMEOUT_MS: String(settings.timeoutMs),
      HEALTH_INTERVAL_MS: String(settings.healthIntervalMs),
      CATALOGUE_STALE_AFTER_MS: String(settings.staleAfterMs),
      // One client address (the test) sends every request: the per-address limits would throttle the test.
      RATE_LIMIT_PER_ADDRESS: '0',
      RATE_LIMIT_PER_USER: '0',
      MAX_IN_FLIGHT_PER_ADDRESS: '0',
      // The development issuer (the test's tokens) is refused in production.
      NODE_ENV: 'test',
    };
  }
  child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: repoRoot,
    env: {
      ...process.env,
      ...env,
      KYOYO_HOST: '',
      DATABASE_URL: url,
      HOST: settings.address,
      PORT: String(settings.port),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.once('exit', (code, signal) => {
    say(`${entry} exited (code ${code}, signal ${signal})`);
    void stop(code ?? 1);
  });
  say(`started ${entry} on ${settings.address}:${settings.port}`);
} catch (error) {
  process.stderr.write(`host: ${(error as Error).stack ?? String(error)}\n`);
  await stop(1);
}
