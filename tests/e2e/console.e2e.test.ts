import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFederation, uniqueCode, type TestFederation } from './support/federation';

/**
 * The gateway's web-console routes (the page and its assets, offline, with a strict CSP) and development
 * sign-in (`POST /dev/sign-in`): only with the development issuer's key, never in production.
 */
const member = {
  code: uniqueCode('console'),
  name: '画面大学',
  prefecture: '京都府',
  location: { latitude: 35.03, longitude: 135.78 },
};

let dir: string;
let federation: TestFederation;
let production: TestFederation;
const origin = (f: TestFederation) => f.gatewayUrl.replace(/\/graphql$/, '');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kyoyo-console-'));
  await writeFile(
    join(dir, 'index.html'),
    '<!doctype html><div id="app"></div><script type="module" src="/console/app.js"></script>',
  );
  await writeFile(join(dir, 'app.js'), 'console.log("app")');
  federation = await startFederation([member], { devSignIn: true, gateway: { consoleDir: dir } });
  production = await startFederation([{ ...member, code: uniqueCode('console-prod') }], {
    devSignIn: true,
    gateway: { production: true, consoleDir: join(dir, 'absent') },
  });
});

afterAll(async () => {
  await federation?.stop();
  await production?.stop();
  await rm(dir, { recursive: true, force: true });
});

const signIn = (f: TestFederation, body: unknown, contentType = 'application/json') =>
  fetch(`${origin(f)}/dev/sign-in`, { method: 'POST', headers: { 'content-type': contentType }, body: JSON.stringify(body) });

describe('the web console', () => {
  it('is the page at / with a content security policy that allows only the gateway itself', async () => {
    const response = await fetch(`${origin(federation)}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/https?:/);
    expect(await response.text()).toContain('<div id="app">');
  });

  it('serves its script with an ETag and answers 304 to a matching If-None-Match', async () => {
    const first = await fetch(`${origin(federation)}/console/app.js`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    const again = await fetch(`${origin(federation)}/console/app.js`, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
  });

  it('picks up a rebuilt file without a restart', async () => {
    await writeFile(join(dir, 'app.js'), 'console.log("rebuilt")');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await (await fetch(`${origin(federation)}/console/app.js`)).text()).toContain('rebuilt');
  });

  it('says how to build it when it has not been built', async () => {
    const response = await fetch(`${origin(production)}/`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build:console');
  });

  it('leaves other paths to the API (404 JSON)', async () => {
    const response = await fetch(`${origin(federation)}/console/secret.txt`);
    expect(response.status).toBe(404);
  });
});

describe('development sign-in', () => {
  it('signs a development token the gateway then accepts', async () => {
    const response = await signIn(federation, {
      sub: 'office-9',
      institution: member.code,
      roles: ['FACILITY_MANAGER', 'RESEARCHER'],
    });
    expect(response.status).toBe(200);
    const { token, expiresAt } = (await response.json()) as { token: string; expiresAt: string };
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
    const me = await federation.query<{
      me: { id: string; roles: string[]; affiliation: string; institution: { code: string } };
    }>('{ me { id roles affiliation institution { code } } }', {}, token);
    expect(me.data?.me).toEqual({
      id: 'office-9',
      roles: ['FACILITY_MANAGER', 'RESEARCHER'],
      affiliation: 'academic',
      institution: { code: member.code },
    });
  });

  it('carries an address and language for the demo’s e-mail', async () => {
    const response = await signIn(federation, {
      sub: 'mail-1',
      institution: member.code,
      roles: ['RESEARCHER'],
      email: 'mail-1@example.jp',
      language: 'en',
    });
    const { token } = (await response.json()) as { token: string };
    const me = await federation.query<{ me: { notificationPreferences: unknown } }>(
      '{ me { notificationPreferences { email language reminders } } }',
      {},
      token,
    );
    expect(me.data?.me.notificationPreferences).toEqual({ email: 'mail-1@example.jp', language: 'EN', reminders: true });
  });

  it.each([
    [{ institution: member.code, roles: ['RESEARCHER'] }, 'sub'],
    [{ sub: 'x', institution: 'Not A Code', roles: ['RESEARCHER'] }, 'institution'],
    [{ sub: 'x', roles: ['RESEARCHER'] }, 'organization'],
    [{ sub: 'x', institution: member.code, roles: [] }, 'roles'],
    [{ sub: 'x', institution: member.code, roles: ['KING'] }, 'roles'],
    [{ sub: 'x', institution: member.code, roles: ['RESEARCHER'], affiliation: 'government' }, 'affiliation'],
    [{ sub: 'x', institution: member.code, roles: ['RESEARCHER'], email: 'not an address' }, 'email'],
    [{ sub: 'x', institution: member.code, roles: ['RESEARCHER'], language: 'fr' }, 'language'],
    [['not', 'an', 'object'], 'body'],
  ])('refuses %j naming the field %s', async (body, field) => {
    const response = await signIn(federation, body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('accepts JSON only', async () => {
    expect((await signIn(federation, { sub: 'x' }, 'text/plain')).status).toBe(415);
  });

  it('does not exist in production, whatever key it is given', async () => {
    const response = await signIn(production, { sub: 'x', institution: member.code, roles: ['ADMIN'] });
    expect(response.status).toBe(404);
  });
});
