import { describe, expect, it } from 'vitest';
import { ConfigError } from '@kyoyo/server-kit';
import { loadConfig } from './config';

const valid = {
  DATABASE_URL: 'postgres://u@127.0.0.1:5432/gw',
  GATEWAY_SIGNING_JWK_FILE: '/k/gw.json',
  DEV_ISSUER_JWK_FILE: '/k/dev.json',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.split(':')[0]!);
    throw error;
  }
  return [];
}

describe('gateway config', () => {
  it('accepts a development environment with the default time budget of 2 s', () => {
    expect(loadConfig(valid)).toMatchObject({ PORT: 4000, INSTITUTION_TIMEOUT_MS: 2000 });
  });

  it('needs a way to authenticate users: the development issuer or an OIDC provider', () => {
    expect(problemsOf({ DATABASE_URL: valid.DATABASE_URL, GATEWAY_SIGNING_JWK_FILE: 'k' })).toEqual(['DEV_ISSUER_JWK_FILE']);
  });

  it('lists every problem at once, including an incomplete OIDC setting', () => {
    expect(problemsOf({ DATABASE_URL: 'nope', OIDC_ISSUER: 'https://idp.example', INSTITUTION_TIMEOUT_MS: '0' })).toEqual([
      'DATABASE_URL',
      'GATEWAY_SIGNING_JWK_FILE',
      'INSTITUTION_TIMEOUT_MS',
      'OIDC_ISSUER',
    ]);
  });
});
