import { DomainError, ErrorCode } from '@kyoyo/domain';

/** The parts of a PostgreSQL error that repositories read (postgres.js `PostgresError`). */
export interface PgErrorFields {
  code: string;
  constraint_name?: string;
}

/** Finds the PostgreSQL error behind a driver or Drizzle error (`DrizzleQueryError` wraps it in `cause`). */
export function pgErrorOf(error: unknown): PgErrorFields | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return e as PgErrorFields;
  }
  return undefined;
}

/** Name of the violated constraint, when `error` is a constraint violation. */
export function violatedConstraint(error: unknown): string | undefined {
  return pgErrorOf(error)?.constraint_name;
}

/**
 * Constraint violations that mean the same thing wherever they happen, by constraint name. Repositories
 * translate with `translateConstraintViolation` and rethrow anything else untouched.
 */
const byConstraint: Record<string, () => DomainError> = {
  bookings_no_overlap: () =>
    new DomainError(ErrorCode.SLOT_UNAVAILABLE, 'Another booking already holds part of this period', 'input.start'),
  instruments_local_id_unique: () =>
    new DomainError(ErrorCode.BAD_USER_INPUT, 'Another instrument already has this local id', 'input.localId'),
  bookings_period_bounded: () => new DomainError(ErrorCode.BAD_USER_INPUT, 'A booking needs a start and an end', 'input.end'),
};

/** The domain error a constraint violation stands for, or `error` itself when there is none. */
export function translateConstraintViolation(error: unknown): unknown {
  const name = violatedConstraint(error);
  const factory = name ? byConstraint[name] : undefined;
  return factory ? factory() : error;
}
