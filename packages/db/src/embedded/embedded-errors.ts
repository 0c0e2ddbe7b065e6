/**
 * Why an embedded PostgreSQL server could not be started. Every failure of the launcher is one of these: a
 * message that fits on one line (what went wrong, where) and a hint (what to do about it), so that
 * `npm start` and the test bootstrap can print a single clear line instead of a stack trace.
 */
export type EmbeddedPostgresErrorCode =
  /** No PostgreSQL binaries for this platform are installed. */
  | 'BINARIES_MISSING'
  /** The binaries are there but cannot be run (permissions, missing libraries, wrong architecture). */
  | 'BINARIES_NOT_RUNNABLE'
  /** Running as root and the unprivileged `postgres` system user is missing and could not be created. */
  | 'SYSTEM_USER_UNAVAILABLE'
  /** The data directory (or the place it would be moved to) cannot be created or prepared. */
  | 'DATA_DIR_UNAVAILABLE'
  /** The data directory exists but is not a PostgreSQL cluster. */
  | 'DATA_DIR_NOT_A_CLUSTER'
  /** The data directory was made by another major version of PostgreSQL. */
  | 'DATA_DIR_VERSION_MISMATCH'
  /** Another server is running on the data directory. */
  | 'DATA_DIR_IN_USE'
  /** `initdb` failed. */
  | 'INITDB_FAILED'
  /** The TCP port is taken. */
  | 'PORT_IN_USE'
  /** The server exited before accepting connections. */
  | 'START_FAILED'
  /** The server did not report readiness in time. */
  | 'START_TIMEOUT';

export class EmbeddedPostgresError extends Error {
  override readonly name = 'EmbeddedPostgresError';

  constructor(
    readonly code: EmbeddedPostgresErrorCode,
    message: string,
    /** What the person starting the server can do about it; empty when there is nothing useful to say. */
    readonly hint = '',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Message and hint on one line. */
  oneLine(): string {
    return this.hint ? `${this.message}; ${this.hint}` : this.message;
  }
}

export function isEmbeddedPostgresError(error: unknown): error is EmbeddedPostgresError {
  return error instanceof EmbeddedPostgresError;
}

/** The last non-empty line of a program's output, trimmed to a readable length. */
export function lastLine(output: string): string {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const line = lines.at(-1) ?? '';
  return line.length > 240 ? `${line.slice(0, 237)}…` : line;
}
