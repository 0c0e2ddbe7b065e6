import type { z } from 'zod';

/** Invalid configuration: every problem at once, so an operator can fix them in one go. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses `env` with `schema`, or throws a `ConfigError` listing every problem by variable name. */
export function parseConfig<T extends z.ZodType>(schema: T, env: Record<string, string | undefined>): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.') || '(config)'}: ${issue.message}`));
}

/** Prints a `ConfigError` and exits 1; rethrows anything else. */
export function exitOnConfigError(error: unknown, program: string): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${program}: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
