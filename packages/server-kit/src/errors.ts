import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { DomainError, ErrorCode, isErrorCode } from '@kyoyo/domain';
import type { Logger } from './logger';
import type { Metrics } from './metrics';

/** A `GraphQLError` carrying a domain error's code and field. */
export function toGraphQLError(error: DomainError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: { code: error.code, ...(error.field ? { field: error.field } : {}) },
  });
}

/**
 * The one place errors become client-visible: domain errors keep their code, message and field; GraphQL's
 * own errors (syntax, validation, variable coercion) keep theirs; anything else is logged and answered as
 * `INTERNAL_SERVER_ERROR` with no internal detail. Being that one place, it also counts every error Apollo
 * answers by its code in `metrics` (requests refused before Apollo are counted by `createHttpApp`).
 */
export function createFormatError(logger: Logger, metrics?: Pick<Metrics, 'countGraphQLError'>) {
  const format = formatterOf(logger);
  if (!metrics) return format;
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const answer = format(formatted, error);
    metrics.countGraphQLError(answer.extensions?.code);
    return answer;
  };
}

function formatterOf(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      return {
        message: original.message,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: original.code, ...(original.field ? { field: original.field } : {}) },
      };
    }
    const code = formatted.extensions?.code;
    if (original instanceof GraphQLError || (typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR)) {
      const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
      const field = extensions.field ?? variableFieldOf(formatted.message);
      return {
        ...formatted,
        extensions: {
          ...extensions,
          code: isErrorCode(code) || typeof code === 'string' ? code : ErrorCode.BAD_USER_INPUT,
          ...(field ? { field } : {}),
        },
      };
    }
    logger.error('unexpected error', { error: original, path: formatted.path });
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

/**
 * The input at fault in GraphQL's own variable errors, as `extensions.field`: `Variable "$input" got invalid
 * value -1 at "input.estimatedPrice"; …` names `input.estimatedPrice`; `Variable "$input" got invalid value {…};
 * Field "estimatedPrice" of required type "Yen!" was not provided` names `input.estimatedPrice`. Null for other messages.
 */
export function variableFieldOf(message: string): string | null {
  const variable = /^Variable "\$([^"]+)"/.exec(message);
  if (!variable) return null;
  const at = [...message.matchAll(/ at "([^"]+)"; /g)].pop();
  const missing = /Field "([^"]+)" of required type "[^"]+" was not provided/.exec(message);
  const base = at ? at[1]! : variable[1]!;
  return missing ? `${base}.${missing[1]}` : base;
}
