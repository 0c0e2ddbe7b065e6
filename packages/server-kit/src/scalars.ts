import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { formatDateTimeTokyo, isYen, parseDate, parseDateTime } from '@kyoyo/domain';

function badValue(scalar: string, message: string): GraphQLError {
  return new GraphQLError(`${scalar}: ${message}`, { extensions: { code: 'BAD_USER_INPUT' } });
}

function stringLiteral(ast: ValueNode, scalar: string): string {
  if (ast.kind !== Kind.STRING) throw badValue(scalar, 'expected a string');
  return ast.value;
}

function parseDateTimeValue(value: unknown): Date {
  if (typeof value !== 'string') throw badValue('DateTime', 'expected an RFC 3339 string with an offset');
  try {
    return parseDateTime(value, 'DateTime');
  } catch {
    throw badValue('DateTime', `"${value.slice(0, 40)}" is not an RFC 3339 date-time with an offset`);
  }
}

/** RFC 3339 date-time with offset; output in Asia/Tokyo (+09:00). Internally a `Date`. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'RFC 3339 date-time with offset; output uses +09:00.',
  serialize: (value) => {
    const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
    if (!date || Number.isNaN(date.getTime())) throw new GraphQLError('DateTime cannot represent this value');
    return formatDateTimeTokyo(date);
  },
  parseValue: parseDateTimeValue,
  parseLiteral: (ast) => parseDateTimeValue(stringLiteral(ast, 'DateTime')),
});

function parseDateValue(value: unknown): string {
  if (typeof value !== 'string') throw badValue('Date', 'expected YYYY-MM-DD');
  try {
    return parseDate(value, 'Date');
  } catch {
    throw badValue('Date', `"${value.slice(0, 40)}" is not a calendar date (YYYY-MM-DD)`);
  }
}

/** Calendar date, `YYYY-MM-DD`. Internally the same string. */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'Calendar date, YYYY-MM-DD.',
  serialize: (value) => {
    if (typeof value !== 'string') throw new GraphQLError('Date cannot represent this value');
    return value;
  },
  parseValue: parseDateValue,
  parseLiteral: (ast) => parseDateValue(stringLiteral(ast, 'Date')),
});

function parseYenValue(value: unknown): number {
  if (!isYen(value)) throw badValue('Yen', 'expected whole, non-negative yen (a safe integer)');
  return value;
}

/** Whole yen as a JSON number (a safe integer; prices can exceed 2^31). */
export const YenScalar = new GraphQLScalarType<number, number>({
  name: 'Yen',
  description: 'Whole yen as a JSON number (a safe integer; prices can exceed 2^31).',
  serialize: (value) => {
    if (!isYen(value)) throw new GraphQLError('Yen cannot represent this value');
    return value;
  },
  parseValue: parseYenValue,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.INT) throw badValue('Yen', 'expected an integer');
    return parseYenValue(Number(ast.value));
  },
});

/** The three custom scalars, for a resolver map. */
export const scalarResolvers = { DateTime: DateTimeScalar, Date: DateScalar, Yen: YenScalar };
