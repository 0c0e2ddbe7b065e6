import { z } from 'zod';
import { ROLES, type Role } from '@kyoyo/auth';
import { parseConfig } from '@kyoyo/server-kit';
import { DEFAULT_CONCURRENCY_LIMITS } from './limits/admission';
import { DEFAULT_OPERATION_LIMITS } from './limits/operation-limits';
import { DEFAULT_RATE_LIMITS } from './limits/rate-limiter';

const claimNamesSchema = z
  .object({ sub: z.string(), inst: z.string(), org: z.string(), aff: z.string(), roles: z.string() })
  .partial()
  .strict();

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Settings of the national gateway, read once from the environment. */
const schema = z
  .object({
    /** The gateway's own database (institution registry, check records). */
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }),
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
    /** A read-only URL (a streaming replica of DATABASE_URL) that search reads the national catalogue from; the harvest writes to DATABASE_URL. */
    CATALOGUE_READ_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).optional(),
    /** How long one harvest long poll waits at an institution for a change, in ms. */
    HARVEST_WAIT_MS: z.coerce.number().int().min(0).max(30_000).default(20_000),
    /** Age beyond which an institution's part of the catalogue is reported stale in search results, in ms. */
    CATALOGUE_STALE_AFTER_MS: z.coerce.number().int().min(1_000).default(60_000),
    /** How often each institution's part of the catalogue is reconciled with its owner (count, checksum), in ms; 0 switches it off. */
    CATALOGUE_RECONCILE_INTERVAL_MS: z.coerce
      .number()
      .int()
      .refine((ms) => ms === 0 || ms >= 1_000, 'must be 0 (off) or at least 1000')
      .default(3_600_000),
    /** HTTP port of the public API. */
    PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    HOST: z.string().min(1).default('127.0.0.1'),
    /** The gateway's address as people reach it (e.g. https://kyoyo.example.jp), for the URLs it hands out (calendar feeds). */
    PUBLIC_URL: z.url().optional(),
    /**
     * File with the gateway's private signing JWK for calls to services. Created at first start in
     * development; in production it must exist (or give the JWK itself in `GATEWAY_SIGNING_JWK`).
     */
    GATEWAY_SIGNING_JWK_FILE: z.string().min(1).optional(),
    /** The gateway's private signing JWK as JSON (production, from a secret store). */
    GATEWAY_SIGNING_JWK: z.string().min(1).optional(),
    /** File with the development issuer's JWK; its tokens are accepted when set (development only). */
    DEV_ISSUER_JWK_FILE: z.string().min(1).optional(),
    /**
     * The development mailbox's HTTP API (e.g. http://127.0.0.1:4025, `npm start` runs one): the console's
     * Mailbox page shows through `GET /dev/mailbox` what the services sent (development only).
     */
    DEV_MAILBOX_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// URL' }).optional(),
    /** OIDC issuer whose tokens are accepted (production). */
    OIDC_ISSUER: z.string().min(1).optional(),
    /** Audience the OIDC tokens must carry. */
    OIDC_AUDIENCE: z.string().min(1).optional(),
    /** JWKS URL of the OIDC issuer. */
    OIDC_JWKS_URL: z.url().optional(),
    /**
     * Where the OIDC issuer keeps Kyoyo's claims when it names them otherwise, as JSON, e.g.
     * `{"roles":"kyoyo_roles","inst":"kyoyo_institution"}`.
     */
    OIDC_CLAIM_NAMES: z
      .string()
      .optional()
      .transform((text, ctx) => {
        if (text === undefined || text === '') return undefined;
        const parsed = claimNamesSchema.safeParse(safeJson(text));
        if (parsed.success) return parsed.data;
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object naming claims for sub, inst, org, aff or roles' });
        return z.NEVER;
      }),
    /**
     * Whether the OIDC issuer's role claims count. Default false: the identity provider says who someone is,
     * Kyoyo's grants (`grantRole`, `npm run roles`) say what they may do.
     */
    OIDC_TRUST_ROLE_CLAIMS: z
      .enum(['true', 'false', '1', '0'])
      .default('false')
      .transform((v) => v === 'true' || v === '1'),
    /** Roles everyone signed in through the OIDC issuer holds, comma-separated (default RESEARCHER; empty: none). */
    OIDC_DEFAULT_ROLES: z
      .string()
      .default('RESEARCHER')
      .transform((text, ctx) => {
        const names = text
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean);
        const unknown = names.filter((r) => !(ROLES as readonly string[]).includes(r));
        if (unknown.length === 0) return [...new Set(names as Role[])];
        ctx.addIssue({ code: 'custom', message: `${unknown.join(', ')}: not a role (${ROLES.join(', ')})` });
        return z.NEVER;
      }),
    /**
     * The console's sign-in through the OIDC provider `OIDC_ISSUER` (authorization code + PKCE): the client id
     * registered with it. Unset: the console has no OIDC sign-in (bearer tokens still work).
     */
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    /** The client's secret (a confidential client, `client_secret_basic`); unset: a public client, PKCE alone. */
    OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    /** The gateway's callback as registered with the provider, e.g. `https://kyoyo.example.ac.jp/auth/callback`. */
    OIDC_REDIRECT_URI: z.url().optional(),
    /** Where the provider returns the browser after sign-out (registered too); default the redirect URI's origin. */
    OIDC_POST_SIGN_OUT_URI: z.url().optional(),
    /** Scopes asked for at sign-in, space-separated. */
    OIDC_SCOPES: z.string().min(1).default('openid profile email'),
    /** The provider's name on the console's sign-in button. */
    OIDC_PROVIDER_NAME: z.string().min(1).max(100).default('学認 GakuNin'),
    /** A console session unused this long ends, in minutes. */
    SESSION_IDLE_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(120),
    /** A console session ends this long after sign-in, in hours. */
    SESSION_MAX_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(30 * 24)
      .default(12),
    /** Time budget of one call to an institution, in milliseconds. */
    INSTITUTION_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(2000),
    /** How often the registry is reloaded and institutions probed, in milliseconds. */
    HEALTH_INTERVAL_MS: z.coerce.number().int().min(500).max(600_000).default(10_000),
    /** Request body limit in bytes. */
    MAX_BODY_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(1024 * 1024),
    /** Request body limit of `importInstruments`, in bytes. */
    MAX_IMPORT_BODY_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(16 * 1024 * 1024),
    /** Deepest field nesting of an operation. */
    MAX_QUERY_DEPTH: z.coerce.number().int().min(2).max(100).default(DEFAULT_OPERATION_LIMITS.maxDepth),
    /** Aliases per operation. */
    MAX_QUERY_ALIASES: z.coerce.number().int().min(0).max(10_000).default(DEFAULT_OPERATION_LIMITS.maxAliases),
    /** Estimated fields resolved per operation (see README "Limits"). */
    MAX_QUERY_COST: z.coerce.number().int().min(100).default(DEFAULT_OPERATION_LIMITS.maxCost),
    /** Requests per minute per signed-in user; 0 switches the limit off. */
    RATE_LIMIT_PER_USER: z.coerce.number().int().min(0).default(DEFAULT_RATE_LIMITS.perUserPerMinute),
    /** Requests per minute per client address; 0 switches the limit off. */
    RATE_LIMIT_PER_ADDRESS: z.coerce.number().int().min(0).default(DEFAULT_RATE_LIMITS.perAddressPerMinute),
    /** Requests worked on at once per client address (more wait their turn, up to 10 s); 0 switches it off. */
    MAX_IN_FLIGHT_PER_ADDRESS: z.coerce.number().int().min(0).default(DEFAULT_CONCURRENCY_LIMITS.perAddress),
    /** Requests the gateway works on at once in all; 0 switches it off. */
    MAX_IN_FLIGHT: z.coerce.number().int().min(0).default(DEFAULT_CONCURRENCY_LIMITS.total),
    /**
     * Behind a reverse proxy: take the client's address from the last `X-Forwarded-For` entry (the one the
     * proxy added) instead of the connection's.
     */
    TRUST_PROXY: z
      .enum(['true', 'false', '1', '0'])
      .default('false')
      .transform((v) => v === 'true' || v === '1'),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  })
  .refine((c) => c.GATEWAY_SIGNING_JWK_FILE || c.GATEWAY_SIGNING_JWK, {
    message: 'set GATEWAY_SIGNING_JWK_FILE or GATEWAY_SIGNING_JWK',
    path: ['GATEWAY_SIGNING_JWK_FILE'],
    when: () => true,
  })
  .refine((c) => c.NODE_ENV !== 'production' || !c.DEV_ISSUER_JWK_FILE, {
    message: 'the development issuer is not accepted in production; configure OIDC_ISSUER instead',
    path: ['DEV_ISSUER_JWK_FILE'],
    when: () => true,
  })
  .refine((c) => c.NODE_ENV !== 'production' || !c.DEV_MAILBOX_URL, {
    message: 'the development mailbox is not offered in production; unset DEV_MAILBOX_URL',
    path: ['DEV_MAILBOX_URL'],
    when: () => true,
  })
  .refine((c) => c.DEV_ISSUER_JWK_FILE || c.OIDC_ISSUER, {
    message: 'set DEV_ISSUER_JWK_FILE (development) or OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URL',
    path: ['DEV_ISSUER_JWK_FILE'],
    when: () => true,
  })
  .refine((c) => !c.OIDC_AUDIENCE === !c.OIDC_JWKS_URL && (!c.OIDC_AUDIENCE || c.OIDC_ISSUER), {
    message: 'OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URL must be set together (bearer tokens from the provider)',
    path: ['OIDC_ISSUER'],
    when: () => true,
  })
  .refine((c) => !c.OIDC_ISSUER || c.OIDC_AUDIENCE || c.OIDC_CLIENT_ID, {
    message: 'with OIDC_ISSUER set OIDC_AUDIENCE and OIDC_JWKS_URL (bearer tokens), OIDC_CLIENT_ID (console sign-in), or both',
    path: ['OIDC_ISSUER'],
    when: () => true,
  })
  .refine((c) => !c.OIDC_CLIENT_ID || (c.OIDC_ISSUER && c.OIDC_REDIRECT_URI), {
    message: 'the console sign-in needs OIDC_ISSUER and OIDC_REDIRECT_URI with OIDC_CLIENT_ID',
    path: ['OIDC_CLIENT_ID'],
    when: () => true,
  })
  .refine((c) => c.NODE_ENV !== 'production' || !c.OIDC_REDIRECT_URI || c.OIDC_REDIRECT_URI.startsWith('https:'), {
    message: 'in production the redirect URI must be https (the session cookie is Secure)',
    path: ['OIDC_REDIRECT_URI'],
    when: () => true,
  });

export type GatewayConfig = z.infer<typeof schema>;

/** Validates the environment, reporting every problem at once (`ConfigError`). */
export function loadConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  return parseConfig(schema, env);
}
