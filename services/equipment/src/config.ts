import { z } from 'zod';
import { parseConfig } from '@kyoyo/server-kit';

const institutionCode = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])$/;

/** Settings of one institution's equipment service, read once from the environment. */
const schema = z
  .object({
    /** Institution this instance serves, e.g. `tohoku-u`; the audience of the gateway's tokens. */
    INSTITUTION_CODE: z.string().regex(institutionCode, 'must be lower-case letters, digits and hyphens, e.g. tohoku-u'),
    /** PostgreSQL database of this institution. */
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }),
    /** Connection pool size. */
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
    /** HTTP port (0 picks a free one). */
    PORT: z.coerce.number().int().min(0).max(65535).default(4100),
    /** Interface to bind. */
    HOST: z.string().min(1).default('127.0.0.1'),
    /** The gateway's public signing key, a JWK as JSON; only calls signed with it are served. */
    GATEWAY_PUBLIC_JWK: z.string().optional(),
    /** Or: a file holding the gateway's public (or private, development) JWK. */
    GATEWAY_PUBLIC_JWK_FILE: z.string().optional(),
    /** Request body limit in bytes (imports are large). */
    MAX_BODY_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(16 * 1024 * 1024),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  })
  .refine((c) => c.GATEWAY_PUBLIC_JWK || c.GATEWAY_PUBLIC_JWK_FILE, {
    message: 'set GATEWAY_PUBLIC_JWK or GATEWAY_PUBLIC_JWK_FILE',
    path: ['GATEWAY_PUBLIC_JWK'],
    // Report this together with every other problem, not only once the rest parses.
    when: () => true,
  });

export type EquipmentConfig = z.infer<typeof schema>;

/** Validates the environment, reporting every problem at once (`ConfigError`). */
export function loadConfig(env: Record<string, string | undefined> = process.env): EquipmentConfig {
  return parseConfig(schema, env);
}
