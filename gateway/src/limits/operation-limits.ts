import {
  getNamedType,
  GraphQLError,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { ErrorCode, MAX_CANDIDATES, OPERATION_MODES, USER_CATEGORIES } from '@kyoyo/domain';
import { MAX_PAGE_SIZE } from '../instruments/instruments.service';

/** How big one operation may be (CONTRACT.md "Limits the gateway enforces"). */
export interface OperationLimits {
  /** Deepest field nesting (the root fields are depth 1). */
  maxDepth: number;
  /** Aliased fields in the operation as it runs: an alias inside a fragment counts wherever the fragment is spread. */
  maxAliases: number;
  /** Largest estimated cost (see `measureOperation`). */
  maxCost: number;
}

export const DEFAULT_OPERATION_LIMITS: OperationLimits = { maxDepth: 12, maxAliases: 20, maxCost: 100_000 };

/** Items a list field is assumed to return when nothing in the operation says how many. */
export const DEFAULT_LIST_SIZE = 20;

/** Lists whose size is known from the rules: at most this many items. */
const KNOWN_LIST_SIZES: Record<string, number> = {
  'DuplicateCheck.candidates': MAX_CANDIDATES,
  'Instrument.fees': USER_CATEGORIES.length * OPERATION_MODES.length,
};

/** What an operation asks for, measured before anything runs. */
export interface OperationMeasure {
  depth: number;
  aliases: number;
  /**
   * How many objects the answer would hold: every field with a selection counts once each time it resolves
   * — a field under a list once per item. A list's items are `first` when its field (or the connection above
   * it) takes one, the number of `inputs` for `checkDuplicatePurchases`, the rules' maximum where there is
   * one (10 candidates, 9 fee rates), and 20 otherwise. Scalars are free: they come with their object.
   */
  cost: number;
}

/**
 * Measures depth, aliases and cost of `operation`, following fragments (each fragment is entered at most
 * once per path, so a cycle cannot loop). Introspection fields (`__schema`, `__type`) are not counted: they
 * are switched off in production and read only the schema.
 */
export function measureOperation(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  variables: Readonly<Record<string, unknown>>,
): OperationMeasure {
  const measure: OperationMeasure = { depth: 0, aliases: 0, cost: 0 };
  const root = schema.getRootType(operation.operation);
  if (!root) return measure;

  const valueOf = (node: ValueNode | undefined): unknown => {
    if (!node) return undefined;
    switch (node.kind) {
      case Kind.VARIABLE:
        return variables[node.name.value];
      case Kind.INT:
        return Number(node.value);
      case Kind.LIST:
        return node.values;
      default:
        return undefined;
    }
  };

  const walk = (
    selectionSet: SelectionSetNode,
    parent: GraphQLNamedType,
    times: number,
    depth: number,
    pageSize: number | null,
    entered: ReadonlySet<string>,
  ): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        walk(selection.selectionSet, type ?? parent, times, depth, pageSize, entered);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || entered.has(name)) continue;
        const type = schema.getType(fragment.typeCondition.name.value) ?? parent;
        walk(fragment.selectionSet, type, times, depth, pageSize, new Set([...entered, name]));
        continue;
      }
      const name = selection.name.value;
      if (name === '__schema' || name === '__type') continue;
      if (selection.alias) measure.aliases += 1;
      measure.depth = Math.max(measure.depth, depth);
      if (!selection.selectionSet || !(isObjectType(parent) || isInterfaceType(parent))) continue;
      const field = parent.getFields()[name];
      if (!field) continue;
      const argument = (arg: string) => {
        const node = selection.arguments?.find((a) => a.name.value === arg)?.value;
        return node ? valueOf(node) : field.args.find((a) => a.name === arg)?.defaultValue;
      };
      const first = argument('first');
      const page = typeof first === 'number' && Number.isFinite(first) ? clamp(first, 0, MAX_PAGE_SIZE) : pageSize;
      let items = 1;
      let childPage = page;
      if (returnsList(field)) {
        items = listSize(`${parent.name}.${name}`, argument, page);
        childPage = null;
      }
      measure.cost += times * items;
      walk(selection.selectionSet, getNamedType(field.type), times * items, depth + 1, childPage, entered);
    }
  };

  walk(operation.selectionSet, root, 1, 1, null, new Set());
  return measure;
}

function listSize(coordinate: string, argument: (name: string) => unknown, page: number | null): number {
  if (page !== null) return page;
  const known = KNOWN_LIST_SIZES[coordinate];
  if (known !== undefined) return known;
  if (coordinate === 'Mutation.checkDuplicatePurchases') {
    const inputs = argument('inputs');
    return Array.isArray(inputs) ? Math.max(inputs.length, 1) : 1;
  }
  return DEFAULT_LIST_SIZE;
}

function returnsList(field: GraphQLField<unknown, unknown>): boolean {
  let type: GraphQLOutputType = field.type;
  if (isNonNullType(type)) type = type.ofType;
  return isListType(type);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

function limitExceeded(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.LIMIT_EXCEEDED, http: { status: 400 } } });
}

/** Refuses an operation deeper, with more aliases or costlier than `limits` before any resolver runs. */
export function checkOperationLimits(measure: OperationMeasure, limits: OperationLimits): void {
  if (measure.depth > limits.maxDepth) {
    throw limitExceeded(`The operation is nested ${measure.depth} fields deep; at most ${limits.maxDepth} are allowed`);
  }
  if (measure.aliases > limits.maxAliases) {
    throw limitExceeded(`The operation uses ${measure.aliases} aliases; at most ${limits.maxAliases} are allowed`);
  }
  if (measure.cost > limits.maxCost) {
    throw limitExceeded(
      `The answer would hold about ${measure.cost.toLocaleString('en')} objects; at most ${limits.maxCost.toLocaleString('en')} are allowed (ask for fewer items or nested objects)`,
    );
  }
}

/**
 * An Apollo plugin that measures every operation once it is parsed, validated and chosen, with its
 * variables, and refuses it with `LIMIT_EXCEEDED` before execution — so before any institution is called.
 */
export function operationLimitsPlugin(limits: OperationLimits): ApolloServerPlugin {
  return {
    requestDidStart: () =>
      Promise.resolve({
        didResolveOperation: ({ schema, document, operation, request }) => {
          if (!operation) return Promise.resolve();
          const fragments = new Map(
            document.definitions
              .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
              .map((d) => [d.name.value, d]),
          );
          checkOperationLimits(measureOperation(schema, operation, fragments, request.variables ?? {}), limits);
          return Promise.resolve();
        },
      }),
  };
}
