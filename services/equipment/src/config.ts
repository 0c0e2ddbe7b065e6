import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InvalidKeyError, parsePublicKeySet, type JWK } from '@kyoyo/auth';
import { ConfigError, parseConfig } from '@kyoyo/server-kit';

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
    /**
     * The gateway's public signing key as JSON: one JWK, or during a key rotation a JWK Set `{"keys": [...]}` of the
     * current and the next key; only calls signed with one of them are served.
     */
    GATEWAY_PUBLIC_JWK: z.string().optional(),
    /** Or: a file holding that JWK or JWK Set (in development, the gateway's private key file: its public half is used). */
    GATEWAY_PUBLIC_JWK_FILE: z.string().optional(),
    /** Request body limit in bytes (imports are large). */
    MAX_BODY_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(16 * 1024 * 1024),
    /** Days the change feed keeps changes (tombstones included); a consumer further behind resynchronises. */
    CHANGE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(35),
    /** The institution's name in its e-mail (default: its code). */
    INSTITUTION_NAME: z.string().min(1).max(200).optional(),
    /**
     * The SMTP server the institution sends its e-mail through, as nodemailer reads it: `smtp://user:pass@host:587`
     * (STARTTLS when offered), `smtps://…:465`. Unset: messages are still written to the outbox, and sent once it is set.
     */
    SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
    /** The sender of its e-mail, e.g. `東北大学 共用機器 <kyoyo@tohoku.example>`. */
    MAIL_FROM: z.string().min(3).max(300).optional(),
    /** The facility office's address: approval requests and researchers' cancellations are sent there. */
    OFFICE_EMAIL: z.email({ error: 'must be an e-mail address' }).optional(),
    /** The console's address, for the links in e-mail, e.g. `https://kyoyo.example.jp`. */
    CONSOLE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' }).optional(),
    /** How often the outbox is read when nothing new woke its sender (ms). */
    MAIL_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  })
  .refine((c) => !c.SMTP_URL || c.MAIL_FROM, {
    message: 'set MAIL_FROM, the sender of the e-mail sent through SMTP_URL',
    path: ['MAIL_FROM'],
    when: () => true,
  })
  .refine((c) => c.GATEWAY_PUBLIC_JWK || c.GATEWAY_PUBLIC_JWK_FILE, {
    message: 'set GATEWAY_PUBLIC_JWK or GATEWAY_PUBLIC_JWK_FILE',
    path: ['GATEWAY_PUBLIC_JWK'],
    // Report this together with every other problem, not only once the rest parses.
    when: () => true,
  });

export type EquipmentConfig = z.infer<typeof schema> & {
  /** The gateway public keys of `GATEWAY_PUBLIC_JWK(_FILE)`, checked: Ed25519, public, a distinct kid each in a set. */
  gatewayKeys: JWK[];
};

/** Reads a file's text; tests pass their own. */
export type ReadText = (path: string) => string;

const readText: ReadText = (path) => readFileSync(path, 'utf8');

/**
 * The gateway keys named by the environment, or the problem with them, by variable. A private key is accepted
 * outside production only (the demo hands services the gateway's own development key file).
 */
function gatewayKeysOf(env: Record<string, string | undefined>, read: ReadText): { keys: JWK[] } | { problem: string } {
  const inline = env.GATEWAY_PUBLIC_JWK;
  const variable = inline ? 'GATEWAY_PUBLIC_JWK' : 'GATEWAY_PUBLIC_JWK_FILE';
  const file = env.GATEWAY_PUBLIC_JWK_FILE;
  let text: string;
  if (inline) text = inline;
  else {
    try {
      text = read(file!);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return { problem: `${variable}: cannot read ${file} (${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')})` };
    }
  }
  try {
    return { keys: parsePublicKeySet(text, { allowPrivate: env.NODE_ENV !== 'production' }) };
  } catch (error) {
    if (!(error instanceof InvalidKeyError)) throw error;
    return { problem: `${variable}: ${inline ? 'the value' : file} ${error.message}` };
  }
}

/** Validates the environment and reads the gateway's public key(s), reporting every problem at once (`ConfigError`). */
export function loadConfig(env: Record<string, string | undefined> = process.env, read: ReadText = readText): EquipmentConfig {
  const problems: string[] = [];
  let config: z.infer<typeof schema> | undefined;
  try {
    config = parseConfig(schema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  // With neither variable set the schema has said so already.
  const keys = env.GATEWAY_PUBLIC_JWK || env.GATEWAY_PUBLIC_JWK_FILE ? gatewayKeysOf(env, read) : null;
  if (keys && 'problem' in keys) problems.push(keys.problem);
  if (problems.length > 0 || !config || !keys || 'problem' in keys) throw new ConfigError(problems);
  return { ...config, gatewayKeys: keys.keys };
}
