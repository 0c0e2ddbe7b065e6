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

  it('trusts no OIDC role claims by default and makes everyone signed in through OIDC a researcher', () => {
    expect(loadConfig(valid)).toMatchObject({ OIDC_TRUST_ROLE_CLAIMS: false, OIDC_DEFAULT_ROLES: ['RESEARCHER'] });
    expect(loadConfig({ ...valid, OIDC_DEFAULT_ROLES: '' }).OIDC_DEFAULT_ROLES).toEqual([]);
    expect(loadConfig({ ...valid, OIDC_DEFAULT_ROLES: ' RESEARCHER , FUNDER,RESEARCHER' }).OIDC_DEFAULT_ROLES).toEqual([
      'RESEARCHER',
      'FUNDER',
    ]);
    expect(problemsOf({ ...valid, OIDC_DEFAULT_ROLES: 'RESEARCHER,GOD' })).toEqual(['OIDC_DEFAULT_ROLES']);
    expect(problemsOf({ ...valid, OIDC_TRUST_ROLE_CLAIMS: 'yes' })).toEqual(['OIDC_TRUST_ROLE_CLAIMS']);
  });

  it('lists every problem at once, including an incomplete OIDC setting', () => {
    expect(problemsOf({ DATABASE_URL: 'nope', OIDC_ISSUER: 'https://idp.example', INSTITUTION_TIMEOUT_MS: '0' }).sort()).toEqual([
      'DATABASE_URL',
      'GATEWAY_SIGNING_JWK_FILE',
      'INSTITUTION_TIMEOUT_MS',
      'OIDC_ISSUER',
    ]);
  });

  it('configures the console sign-in with a client id, issuer and redirect URI, https in production', () => {
    const signIn = {
      OIDC_ISSUER: 'https://idp.example',
      OIDC_CLIENT_ID: 'kyoyo',
      OIDC_REDIRECT_URI: 'https://kyoyo.example/auth/callback',
    };
    expect(loadConfig({ ...valid, ...signIn })).toMatchObject({
      OIDC_SCOPES: 'openid profile email',
      SESSION_IDLE_MINUTES: 120,
      SESSION_MAX_HOURS: 12,
    });
    expect(problemsOf({ ...valid, OIDC_CLIENT_ID: 'kyoyo' })).toEqual(['OIDC_CLIENT_ID']);
    expect(problemsOf({ ...valid, OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_ID: 'kyoyo' })).toEqual(['OIDC_CLIENT_ID']);
    const production = { DATABASE_URL: valid.DATABASE_URL, GATEWAY_SIGNING_JWK_FILE: 'k', NODE_ENV: 'production' };
    expect(problemsOf({ ...production, ...signIn })).toEqual([]);
    expect(problemsOf({ ...production, ...signIn, OIDC_REDIRECT_URI: 'http://kyoyo.example/auth/callback' })).toEqual([
      'OIDC_REDIRECT_URI',
    ]);
    expect(problemsOf({ ...valid, OIDC_AUDIENCE: 'kyoyo', OIDC_JWKS_URL: 'https://idp.example/jwks' })).toEqual(['OIDC_ISSUER']);
  });

  it('has the contract’s limits by default and lets each be set', () => {
    expect(loadConfig(valid)).toMatchObject({
      MAX_BODY_BYTES: 1024 * 1024,
      MAX_IMPORT_BODY_BYTES: 16 * 1024 * 1024,
      MAX_QUERY_DEPTH: 12,
      MAX_QUERY_ALIASES: 20,
      RATE_LIMIT_PER_USER: 600,
      RATE_LIMIT_PER_ADDRESS: 1200,
      MAX_IN_FLIGHT_PER_ADDRESS: 16,
      MAX_IN_FLIGHT: 64,
      TRUST_PROXY: false,
    });
    expect(loadConfig({ ...valid, MAX_QUERY_DEPTH: '8', RATE_LIMIT_PER_USER: '0', TRUST_PROXY: 'true' })).toMatchObject({
      MAX_QUERY_DEPTH: 8,
      RATE_LIMIT_PER_USER: 0,
      TRUST_PROXY: true,
    });
  });

  it('reads where an OIDC provider keeps Kyoyo’s claims, and refuses a map it cannot use', () => {
    const oidc = {
      DATABASE_URL: valid.DATABASE_URL,
      GATEWAY_SIGNING_JWK: '{}',
      OIDC_ISSUER: 'https://idp.example',
      OIDC_AUDIENCE: 'kyoyo',
      OIDC_JWKS_URL: 'https://idp.example/jwks',
    };
    expect(loadConfig({ ...oidc, OIDC_CLAIM_NAMES: '{"roles":"kyoyo_roles"}' }).OIDC_CLAIM_NAMES).toEqual({
      roles: 'kyoyo_roles',
    });
    expect(problemsOf({ ...oidc, OIDC_CLAIM_NAMES: '{"role":"x"}' })).toEqual(['OIDC_CLAIM_NAMES']);
    expect(problemsOf({ ...oidc, OIDC_CLAIM_NAMES: 'roles=x' })).toEqual(['OIDC_CLAIM_NAMES']);
  });

  it('reconciles the catalogue hourly by default; 0 switches it off and a sub-second interval is refused', () => {
    expect(loadConfig(valid).CATALOGUE_RECONCILE_INTERVAL_MS).toBe(3_600_000);
    expect(loadConfig({ ...valid, CATALOGUE_RECONCILE_INTERVAL_MS: '0' }).CATALOGUE_RECONCILE_INTERVAL_MS).toBe(0);
    expect(loadConfig({ ...valid, CATALOGUE_RECONCILE_INTERVAL_MS: '600000' }).CATALOGUE_RECONCILE_INTERVAL_MS).toBe(600_000);
    expect(problemsOf({ ...valid, CATALOGUE_RECONCILE_INTERVAL_MS: '10' })).toEqual(['CATALOGUE_RECONCILE_INTERVAL_MS']);
  });

  it('refuses the development issuer in production', () => {
    expect(problemsOf({ ...valid, NODE_ENV: 'production' })).toEqual(['DEV_ISSUER_JWK_FILE']);
  });

  it('reads the development mailbox’s URL, has none by default and refuses one in production', () => {
    expect(loadConfig(valid).DEV_MAILBOX_URL).toBeUndefined();
    expect(loadConfig({ ...valid, DEV_MAILBOX_URL: 'http://127.0.0.1:4025' }).DEV_MAILBOX_URL).toBe('http://127.0.0.1:4025');
    expect(problemsOf({ ...valid, DEV_MAILBOX_URL: 'smtp://127.0.0.1:2525' })).toEqual(['DEV_MAILBOX_URL']);
    const production = { DATABASE_URL: valid.DATABASE_URL, GATEWAY_SIGNING_JWK_FILE: 'k', NODE_ENV: 'production' };
    const oidc = { OIDC_ISSUER: 'https://idp.example', OIDC_AUDIENCE: 'kyoyo', OIDC_JWKS_URL: 'https://idp.example/jwks' };
    expect(problemsOf({ ...production, ...oidc })).toEqual([]);
    expect(problemsOf({ ...production, ...oidc, DEV_MAILBOX_URL: 'http://127.0.0.1:4025' })).toEqual(['DEV_MAILBOX_URL']);
  });
});
