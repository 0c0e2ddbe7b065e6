import { describe, expect, it } from 'vitest';
import { createKeyPair } from '@kyoyo/auth';
import { ConfigError } from '@kyoyo/server-kit';
import { loadConfig, type ReadText } from './config';

const { pair: gateway, privateJwk: gatewayPrivate } = await createKeyPair();
const { pair: next } = await createKeyPair();

/** A file system of `files`; any other path is missing. */
function filesOf(files: Record<string, unknown>): ReadText {
  return (path) => {
    if (path in files) return JSON.stringify(files[path]);
    throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  };
}

const keyFiles = filesOf({
  '/keys/gw.json': gateway.publicJwk,
  '/keys/rotation.json': { keys: [gateway.publicJwk, next.publicJwk] },
  '/keys/gw-private.json': gatewayPrivate,
  '/keys/empty-set.json': { keys: [] },
});

const valid = {
  INSTITUTION_CODE: 'tohoku-u',
  DATABASE_URL: 'postgres://u@127.0.0.1:5432/db',
  GATEWAY_PUBLIC_JWK_FILE: '/keys/gw.json',
};

/** The problems `loadConfig` reports for `env`, or [] when it accepts it. */
function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env, keyFiles);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
}

describe('equipment service config', () => {
  it('accepts a valid environment and fills in defaults', () => {
    expect(loadConfig(valid, keyFiles)).toMatchObject({
      INSTITUTION_CODE: 'tohoku-u',
      PORT: 4100,
      HOST: '127.0.0.1',
      DATABASE_POOL_MAX: 10,
      gatewayKeys: [gateway.publicJwk],
    });
  });

  it('reports every problem at once, by variable name', () => {
    try {
      loadConfig({ INSTITUTION_CODE: 'Tohoku U', DATABASE_URL: 'mysql://x', PORT: 'eighty' }, keyFiles);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const vars = (error as ConfigError).problems.map((p) => p.split(':')[0]);
      expect(vars).toEqual(['INSTITUTION_CODE', 'DATABASE_URL', 'PORT', 'GATEWAY_PUBLIC_JWK']);
    }
  });

  it('takes the gateway key as one JWK or as a JWK Set of the current and next key, inline or from a file', () => {
    const inline = { ...valid, GATEWAY_PUBLIC_JWK_FILE: undefined };
    expect(loadConfig({ ...inline, GATEWAY_PUBLIC_JWK: JSON.stringify(gateway.publicJwk) }, keyFiles).gatewayKeys).toEqual([
      gateway.publicJwk,
    ]);
    const set = JSON.stringify({ keys: [gateway.publicJwk, next.publicJwk] });
    expect(loadConfig({ ...inline, GATEWAY_PUBLIC_JWK: set }, keyFiles).gatewayKeys.map((k) => k.kid)).toEqual([
      gateway.kid,
      next.kid,
    ]);
    expect(loadConfig({ ...valid, GATEWAY_PUBLIC_JWK_FILE: '/keys/rotation.json' }, keyFiles).gatewayKeys).toHaveLength(2);
  });

  it('takes the public half of a private key file in development, and refuses a private key in production', () => {
    const development = loadConfig({ ...valid, GATEWAY_PUBLIC_JWK_FILE: '/keys/gw-private.json' }, keyFiles);
    expect(development.gatewayKeys).toEqual([gateway.publicJwk]);
    expect(problemsOf({ ...valid, GATEWAY_PUBLIC_JWK_FILE: '/keys/gw-private.json', NODE_ENV: 'production' })).toEqual([
      'GATEWAY_PUBLIC_JWK_FILE: /keys/gw-private.json is a private key (it has "d"); give services the public key only ' +
        '(npx tsx packages/auth/src/cli/keys.ts public --in FILE)',
    ]);
  });

  it('reports a key set with no usable key, an unreadable file and a malformed value together with other problems', () => {
    expect(problemsOf({ ...valid, GATEWAY_PUBLIC_JWK_FILE: '/keys/empty-set.json', PORT: '-1' })).toEqual([
      'PORT: Too small: expected number to be >=0',
      'GATEWAY_PUBLIC_JWK_FILE: /keys/empty-set.json is a JWK Set with no keys; it needs at least one Ed25519 public key',
    ]);
    expect(problemsOf({ ...valid, GATEWAY_PUBLIC_JWK_FILE: '/keys/missing.json' })).toEqual([
      'GATEWAY_PUBLIC_JWK_FILE: cannot read /keys/missing.json (no such file)',
    ]);
    expect(problemsOf({ ...valid, GATEWAY_PUBLIC_JWK: '{"keys":[{"kty":"RSA","n":"x","e":"AQAB"}]}' })).toEqual([
      'GATEWAY_PUBLIC_JWK: the value is a JWK Set whose key 1 is not an Ed25519 key (needs kty "OKP" and crv "Ed25519"; it has kty "RSA", crv undefined)',
    ]);
  });

  it('takes the SMTP server, sender and office address for e-mail, and refuses an SMTP server without a sender', () => {
    const mail = {
      ...valid,
      SMTP_URL: 'smtp://kyoyo:secret@mail.tohoku.example:587',
      MAIL_FROM: '東北大学 共用機器 <kyoyo@tohoku.example>',
      OFFICE_EMAIL: 'office@tohoku.example',
      CONSOLE_URL: 'https://kyoyo.example.jp',
    };
    expect(loadConfig(mail, keyFiles)).toMatchObject({ SMTP_URL: mail.SMTP_URL, MAIL_INTERVAL_MS: 5_000 });
    expect(problemsOf({ ...mail, MAIL_FROM: undefined })).toEqual([
      'MAIL_FROM: set MAIL_FROM, the sender of the e-mail sent through SMTP_URL',
    ]);
    expect(problemsOf({ ...mail, SMTP_URL: 'http://mail.example', OFFICE_EMAIL: 'office', CONSOLE_URL: 'ftp://x' })).toEqual([
      'SMTP_URL: must be an smtp:// or smtps:// URL',
      'OFFICE_EMAIL: must be an e-mail address',
      'CONSOLE_URL: must be an http(s):// URL',
    ]);
    // Without an SMTP server the service runs; its messages wait in the outbox.
    expect(loadConfig(valid, keyFiles).SMTP_URL).toBeUndefined();
  });
});
