/**
 * The one list of error codes Kyoyo answers with (`extensions.code` at the GraphQL edge).
 * The first block is the public contract (national-api.graphql); the rest are additions.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  SLOT_UNAVAILABLE: 'SLOT_UNAVAILABLE',
  NOT_SHARED: 'NOT_SHARED',
  NOT_OFFERED: 'NOT_OFFERED',
  QUALIFICATION_REQUIRED: 'QUALIFICATION_REQUIRED',
  IDEMPOTENCY_CONFLICT: 'IDEMPOTENCY_CONFLICT',
  INSTITUTION_UNAVAILABLE: 'INSTITUTION_UNAVAILABLE',
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  /** A change-feed cursor that can no longer be continued (pruned, another database, a restored one): start over. */
  RESYNC_REQUIRED: 'RESYNC_REQUIRED',
  /** The identity provider (OIDC) could not be reached or answered with a server error: sign-in cannot go on now. */
  IDENTITY_PROVIDER_UNAVAILABLE: 'IDENTITY_PROVIDER_UNAVAILABLE',
  /**
   * The period asked to wait for is free (no active booking holds any of it): there is nothing to wait for,
   * book it instead (joinWaitlist).
   */
  SLOT_AVAILABLE: 'SLOT_AVAILABLE',
  /** An operation of the public contract whose implementation has not landed yet. */
  NOT_IMPLEMENTED: 'NOT_IMPLEMENTED',
  /** Anything unexpected; never carries internal details to the client. */
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const codes = new Set<string>(Object.values(ErrorCode));

/** True when `value` is one of Kyoyo's error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && codes.has(value);
}

/**
 * An expected failure with a stable code and, where there is one, the input field at fault.
 * Thrown by domain rules, services and repositories; turned into a `GraphQLError` in one place.
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Factories for the codes used everywhere, so messages stay consistent. */
export const errors = {
  badInput: (field: string, message: string) => new DomainError(ErrorCode.BAD_USER_INPUT, message, field),
  notFound: (what: string, field?: string) => new DomainError(ErrorCode.NOT_FOUND, `${what} not found`, field),
  forbidden: (message = 'You may not do this') => new DomainError(ErrorCode.FORBIDDEN, message),
  unauthenticated: (message = 'Sign in first') => new DomainError(ErrorCode.UNAUTHENTICATED, message),
  slotUnavailable: (message = 'The slot is already booked', field = 'input.start') =>
    new DomainError(ErrorCode.SLOT_UNAVAILABLE, message, field),
  notOffered: (message: string, field?: string) => new DomainError(ErrorCode.NOT_OFFERED, message, field),
  idempotencyConflict: () =>
    new DomainError(
      ErrorCode.IDEMPOTENCY_CONFLICT,
      'This idempotency key was already used with different input',
      'idempotencyKey',
    ),
  limitExceeded: (message: string, field?: string) => new DomainError(ErrorCode.LIMIT_EXCEEDED, message, field),
  notImplemented: (operation: string, issue: number) =>
    new DomainError(ErrorCode.NOT_IMPLEMENTED, `${operation} is not available yet (planned in issue #${issue})`),
} as const;
