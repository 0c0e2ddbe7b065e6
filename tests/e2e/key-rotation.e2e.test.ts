import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyPair, keyPairFromJwk, signServiceToken, type JWK, type KeyPair } from '@kyoyo/auth';
import { createTestDatabase } from '@kyoyo/test-kit';
import { freePort, serviceProcess, type ServiceProcess } from './support/service-process';
import { uniqueCode } from './support/federation';

/**
 * A gateway key rotation as the operations guide (infra/README.md) has the operator do it: keys made with the
 * keys CLI, a JWK Set of the current and the next key given to an institution's real service process, which then
 * serves calls signed with either; once the set holds only the next key, the old one is refused. And a service
 * given a set it cannot use does not start.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const institution = uniqueCode('rotation');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', ...args],
      { cwd: root, env: { ...process.env, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

const keysCli = (...args: string[]) => run([join(root, 'packages/auth/src/cli/keys.ts'), ...args]);

let dir: string;
let databaseUrl: string;
let port: number;
let current: KeyPair;
let nextKey: KeyPair;
let service: ServiceProcess | null = null;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kyoyo-keys-'));
  [databaseUrl, port] = await Promise.all([createTestDatabase(), freePort()]);
});

afterAll(async () => {
  await service?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function startService(gatewayPublicJwk: object): Promise<void> {
  await service?.stop();
  service = serviceProcess({ institution, databaseUrl, gatewayPublicJwk, port });
  await service.start();
}

/** A call to the service signed with `key`: the HTTP status and the error code, if any. */
async function callSignedWith(key: KeyPair): Promise<{ status: number; code: string | undefined }> {
  const token = await signServiceToken({ identity: null, requestId: 'rotation' }, institution, key);
  const response = await fetch(`${service!.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ institution { instrumentCount } }' }),
  });
  const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
  return { status: response.status, code: body.errors?.[0]?.extensions?.code };
}

describe('the keys CLI', () => {
  it('generates private key files (mode 0600) that it will not overwrite without --force, printing the public key', async () => {
    const made = await keysCli('generate', '--out', join(dir, 'current.jwk.json'));
    expect(made.code).toBe(0);
    const printed = JSON.parse(made.stdout) as JWK;
    expect(printed).not.toHaveProperty('d');
    expect((await stat(join(dir, 'current.jwk.json'))).mode & 0o777).toBe(0o600);
    current = await keyPairFromJwk(JSON.parse(await readFile(join(dir, 'current.jwk.json'), 'utf8')) as JWK);
    expect(printed).toEqual(current.publicJwk);

    const again = await keysCli('generate', '--out', join(dir, 'current.jwk.json'));
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('exists; pass --force to replace it');
    expect((await keyPairFromJwk(JSON.parse(await readFile(join(dir, 'current.jwk.json'), 'utf8')) as JWK)).kid).toBe(
      current.kid,
    );

    expect((await keysCli('generate', '--out', join(dir, 'next.jwk.json'))).code).toBe(0);
    nextKey = await keyPairFromJwk(JSON.parse(await readFile(join(dir, 'next.jwk.json'), 'utf8')) as JWK);
    const public_ = await keysCli('public', '--in', join(dir, 'next.jwk.json'));
    expect(JSON.parse(public_.stdout)).toEqual(nextKey.publicJwk);
  });

  it('refuses a public key where a private one is needed, and a file that is not a key, with exit code 2', async () => {
    await writeFile(join(dir, 'next.public.json'), JSON.stringify(nextKey.publicJwk));
    await writeFile(join(dir, 'not-a-key.json'), '{"hello":"world"}');
    const publicGiven = await keysCli('public', '--in', join(dir, 'next.public.json'));
    expect(publicGiven).toMatchObject({ code: 2, stdout: '' });
    expect(publicGiven.stderr).toContain('is a public key (it has no "d")');
    const notAKey = await keysCli('jwks', '--in', join(dir, 'not-a-key.json'));
    expect(notAKey).toMatchObject({ code: 2, stdout: '' });
    expect(notAKey.stderr).toContain('is not an Ed25519 key');
    expect((await keysCli('public', '--in', join(dir, 'missing.json'))).stderr).toContain('no such file');
    expect((await keysCli('rotate')).stderr).toContain('unknown command rotate');
  });
});

describe('a service during a key rotation', () => {
  it('serves calls signed with the current or the next key given both in a JWK Set, and no other key', async () => {
    const set = await keysCli('jwks', '--in', join(dir, 'current.jwk.json'), '--in', join(dir, 'next.public.json'));
    expect(set.code).toBe(0);
    const jwks = JSON.parse(set.stdout) as { keys: JWK[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual([current.kid, nextKey.kid]);
    await startService(jwks);

    expect(await callSignedWith(current)).toEqual({ status: 200, code: undefined });
    expect(await callSignedWith(nextKey)).toEqual({ status: 200, code: undefined });
    const { pair: stranger } = await createKeyPair();
    expect(await callSignedWith(stranger)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('refuses the old key once its set holds only the next key', async () => {
    await startService({ keys: [nextKey.publicJwk] });
    expect(await callSignedWith(current)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    expect(await callSignedWith(nextKey)).toEqual({ status: 200, code: undefined });
  });

  it('does not start in production when given a private key or a set without a usable key, saying why', async () => {
    const base = {
      INSTITUTION_CODE: institution,
      DATABASE_URL: databaseUrl,
      PORT: String(await freePort()),
      NODE_ENV: 'production',
    };
    const entry = join(root, 'services/equipment/src/main.ts');
    const privateKey = await run([entry], { ...base, GATEWAY_PUBLIC_JWK_FILE: join(dir, 'current.jwk.json') });
    expect(privateKey.code).toBe(1);
    expect(privateKey.stderr).toContain(
      `GATEWAY_PUBLIC_JWK_FILE: ${join(dir, 'current.jwk.json')} is a private key (it has "d")`,
    );
    const unusable = await run([entry], { ...base, GATEWAY_PUBLIC_JWK: '{"keys":[{"kty":"EC","crv":"P-256"}]}' });
    expect(unusable.code).toBe(1);
    expect(unusable.stderr).toContain('GATEWAY_PUBLIC_JWK: the value is a JWK Set whose key 1 is not an Ed25519 key');
  });
});
