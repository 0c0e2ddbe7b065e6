import { z } from 'zod';
import { parseConfig } from '@kyoyo/server-kit';

/** Settings of the national gateway, read once from the environment. */
const schema = z
  .object({
    /** The gateway's own database (institution registry, check records). */
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }),
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
    /** HTTP port of the public API. */
    PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    HOST: z.string().min(1).default('127.0.0.1'),
    /** File with the gateway's private signing JWK for calls to services (generated in development). */
    GATEWAY_SIGNING_JWK_FILE: z.string().min(1),
    /** File with the development issuer's JWK; its tokens are accepted when set (development only). */
    DEV_ISSUER_JWK_FILE: z.string().min(1).optional(),
    /** OIDC issuer whose tokens are accepted (production). */
    OIDC_ISSUER: z.string().min(1).optional(),
    /** Audience the OIDC tokens must carry. */
    OIDC_AUDIENCE: z.string().min(1).optional(),
    /** JWKS URL of the OIDC issuer. */
    OIDC_JWKS_URL: z.url().optional(),
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
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  })
  .refine((c) => c.DEV_ISSUER_JWK_FILE || c.OIDC_ISSUER, {
    message: 'set DEV_ISSUER_JWK_FILE (development) or OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URL',
    path: ['DEV_ISSUER_JWK_FILE'],
    when: () => true,
  })
  .refine((c) => [c.OIDC_ISSUER, c.OIDC_AUDIENCE, c.OIDC_JWKS_URL].filter(Boolean).length % 3 === 0, {
    message: 'OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URL must be set together',
    path: ['OIDC_ISSUER'],
    when: () => true,
  });

export type GatewayConfig = z.infer<typeof schema>;

/** Validates the environment, reporting every problem at once (`ConfigError`). */
export function loadConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  return parseConfig(schema, env);
}
