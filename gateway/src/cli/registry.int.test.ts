import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyPair, verifyServiceToken, type KeyPair } from '@kyoyo/auth';
import { connect, type Database } from '@kyoyo/db';
import { createTestDatabase } from '@kyoyo/test-kit';
import { gatewayMigrationsFolder } from '../db/migrations';
import * as gatewaySchema from '../db/schema';
import { RegistryRepository } from '../registry/registry.repository';

/** The registry CLI as the national operator runs it: a child process against a migrated gateway database. */

const root = fileURLToPath(new URL('../../..', import.meta.url));
const entry = fileURLToPath(new URL('./registry.ts', import.meta.url));

let databaseUrl: string;
let database: Database<typeof gatewaySchema>;
let registry: RegistryRepository;
/**
 * Stands in for `tohoku-u`'s service: answers /healthz as the real one does, and /graphql only to calls signed with
 * the gateway's current key, checked by the services' own `verifyServiceToken`.
 */
let service: Server;
let serviceUrl: string;
let currentKey: KeyPair;
/** Private key files: the key the service accepts, and one it does not. */
let keyFiles: { current: string; other: string };
let dir: string;

beforeAll(async () => {
  databaseUrl = await createTestDatabase(gatewayMigrationsFolder);
  database = connect(databaseUrl, gatewaySchema, { max: 1 });
  registry = new RegistryRepository(database.db);
  const [current, other] = await Promise.all([createKeyPair(), createKeyPair()]);
  currentKey = current.pair;
  dir = await mkdtemp(join(tmpdir(), 'kyoyo-registry-'));
  keyFiles = { current: join(dir, 'current.jwk.json'), other: join(dir, 'other.jwk.json') };
  await writeFile(keyFiles.current, JSON.stringify(current.privateJwk), { mode: 0o600 });
  await writeFile(keyFiles.other, JSON.stringify(other.privateJwk), { mode: 0o600 });
  service = createServer((req, res) => {
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/healthz') return json(200, { status: 'ok', institution: 'tohoku-u' });
    if (req.url !== '/graphql') return json(404, {});
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    verifyServiceToken(token, currentKey.publicKey, 'tohoku-u').then(
      () => json(200, { data: { institution: { code: 'tohoku-u', instrumentCount: 0 } } }),
      () =>
        json(401, {
          errors: [{ message: 'Only the national gateway may call this service', extensions: { code: 'UNAUTHENTICATED' } }],
        }),
    );
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await database?.close();
  await rm(dir, { recursive: true, force: true });
  await new Promise<void>((resolve) => service?.close(() => resolve()));
});

function registryCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', entry, ...args],
      { cwd: root, env: { ...process.env, DATABASE_URL: databaseUrl } },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

const tohoku = [
  '--code',
  'tohoku-u',
  '--name',
  '東北大学',
  '--name-en',
  'Tohoku University',
  '--prefecture',
  '宮城県',
  '--latitude',
  '38.2547',
  '--longitude',
  '140.838',
];

describe('the registry CLI', () => {
  it('adds an institution after checking that its service answers as that institution, and lists it', async () => {
    const added = await registryCli('add', ...tohoku, '--service-url', `${serviceUrl}/`, '--check');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(`added tohoku-u (東北大学, 宮城県) at ${serviceUrl}`);
    expect(await registry.list()).toEqual([
      {
        code: 'tohoku-u',
        name: '東北大学',
        nameEn: 'Tohoku University',
        prefecture: '宮城県',
        location: { latitude: 38.2547, longitude: 140.838 },
        serviceUrl,
      },
    ]);
    const listed = await registryCli('list');
    expect(listed.stdout.split('\n').slice(0, 2)).toEqual([
      'CODE      NAME      PREFECTURE  SERVICE URL',
      `tohoku-u  東北大学  宮城県      ${serviceUrl}`,
    ]);
  });

  it('writes nothing when a value is wrong, listing every problem with exit code 2', async () => {
    const refused = await registryCli(
      'add',
      '--code',
      'Kyushu U',
      '--name',
      '九州大学',
      '--prefecture',
      'Fukuoka',
      '--latitude',
      '33.59',
      '--longitude',
      '200',
      '--service-url',
      'ftp://kyoyo.kyushu.example.ac.jp',
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr.split('\n').filter((l) => l.startsWith('registry:'))).toEqual([
      'registry: BAD_USER_INPUT --code: Kyushu U is not an institution code: 2–40 lower-case letters, digits and hyphens, not starting or ending with a hyphen (e.g. tohoku-u)',
      'registry: BAD_USER_INPUT --prefecture: Fukuoka is not one of the 47 prefectures (e.g. 宮城県, 東京都)',
      'registry: BAD_USER_INPUT --longitude: must be from -180 to 180, not 200',
      'registry: BAD_USER_INPUT --service-url: must be http:// or https://, not ftp://',
    ]);
    expect((await registry.list()).map((i) => i.code)).toEqual(['tohoku-u']);
  });

  it('refuses with exit code 3 and writes nothing when --check finds another institution’s service or none', async () => {
    const kyushu = [
      '--code',
      'kyushu-u',
      '--name',
      '九州大学',
      '--prefecture',
      '福岡県',
      '--latitude',
      '33.59',
      '--longitude',
      '130.22',
    ];
    const wrongService = await registryCli('add', ...kyushu, '--service-url', serviceUrl, '--check');
    expect(wrongService.code).toBe(3);
    expect(wrongService.stderr).toContain(`is the service of tohoku-u, not kyushu-u`);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const noService = await registryCli('add', ...kyushu, '--service-url', `http://127.0.0.1:${port}`, '--check');
    expect(noService.code).toBe(3);
    expect(noService.stderr).toContain('did not answer');
    expect((await registry.list()).map((i) => i.code)).toEqual(['tohoku-u']);
  });

  it('checks which registered services accept a signing key, exit code 3 when one does not', async () => {
    const accepted = await registryCli('check-key', '--in', keyFiles.current);
    expect(accepted.code).toBe(0);
    expect(accepted.stdout.split('\n')[1]).toMatch(new RegExp(`^tohoku-u +${serviceUrl} +accepted$`));
    const refused = await registryCli('check-key', '--in', keyFiles.other);
    expect(refused.code).toBe(3);
    expect(refused.stdout).toContain('REFUSED (401: the service does not accept this key)');
    expect(refused.stderr).toContain('registry: SERVICE_CHECK_FAILED 1 of 1 services do not accept key');
  });

  it('replaces an entry given again with the same code, and removes it, exit code 4 for a code not registered', async () => {
    const moved = await registryCli('add', ...tohoku, '--service-url', 'https://kyoyo.tohoku.example.ac.jp');
    expect(moved.stdout).toContain(`at https://kyoyo.tohoku.example.ac.jp (was ${serviceUrl})`);
    expect((await registry.list())[0]!.serviceUrl).toBe('https://kyoyo.tohoku.example.ac.jp');

    expect((await registryCli('remove', '--code', 'tohoku-u')).code).toBe(0);
    expect(await registry.list()).toEqual([]);
    const again = await registryCli('remove', '--code', 'tohoku-u');
    expect(again.code).toBe(4);
    expect(again.stderr).toContain('registry: NOT_FOUND --code: no institution tohoku-u is registered');
  });
});
