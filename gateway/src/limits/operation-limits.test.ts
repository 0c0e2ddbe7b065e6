import { getIntrospectionQuery, Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createGatewaySchema } from '../schema';
import { checkOperationLimits, DEFAULT_OPERATION_LIMITS, measureOperation, type OperationMeasure } from './operation-limits';

const schema = createGatewaySchema();

function measure(query: string, variables: Record<string, unknown> = {}): OperationMeasure {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  return measureOperation(schema, operation, fragments, variables);
}

function refusal(query: string, variables: Record<string, unknown> = {}): string | null {
  try {
    checkOperationLimits(measure(query, variables), DEFAULT_OPERATION_LIMITS);
    return null;
  } catch (error) {
    return (error as { extensions: { code: string } }).extensions.code;
  }
}

describe('measureOperation', () => {
  it('counts depth from the root fields, through inline fragments and fragment spreads', () => {
    expect(measure('{ me { id } }').depth).toBe(2);
    expect(measure('{ booking(id: "x") { instrument { institution { code } } } }').depth).toBe(4);
    expect(
      measure('{ booking(id: "x") { ... on Booking { instrument { ...I } } } } fragment I on Instrument { institution { code } }')
        .depth,
    ).toBe(4);
  });

  it('counts every alias where it runs: one in a fragment spread three times counts three', () => {
    expect(measure('{ a: me { id } b: me { i: id } }').aliases).toBe(3);
    expect(measure('{ me { ...F } x: me { ...F } y: me { ...F } } fragment F on Viewer { n: id }').aliases).toBe(5);
  });

  it('counts the objects of the answer, a connection’s items by its first (argument, variable or default 20)', () => {
    // the result, then 50 edges with a node each and its institution; scalars are free
    expect(measure('{ searchInstruments(first: 50) { totalCount edges { node { id name institution { code } } } } }').cost).toBe(
      1 + 50 + 50 + 50,
    );
    expect(measure('query ($n: Int) { searchInstruments(first: $n) { edges { node { id } } } }', { n: 10 }).cost).toBe(
      1 + 10 + 10,
    );
    expect(measure('{ searchInstruments { edges { node { id } } } }').cost).toBe(1 + 20 + 20);
    expect(measure('{ instrument(id: "x") { fees { hourlyRate } openHours { weekday } } }').cost).toBe(1 + 9 + 20);
  });

  it('estimates a bad first at the page limit, leaving BAD_USER_INPUT to the resolver', () => {
    expect(measure('{ searchInstruments(first: 1000000000) { edges { node { id } } } }').cost).toBe(1 + 100 + 100);
    expect(measure('{ searchInstruments(first: -5) { edges { node { id } } } }').cost).toBe(1);
  });

  it('sizes a batch of duplicate checks by its inputs and their candidates by 10', () => {
    const inputs = Array.from({ length: 1000 }, () => ({}));
    const cost = measure(
      'mutation ($inputs: [PurchaseProposalInput!]!) { checkDuplicatePurchases(inputs: $inputs) { id verdict candidates { score instrument { id name } } } }',
      { inputs },
    ).cost;
    expect(cost).toBe(1000 + 1000 * 10 * 2);
  });

  it('does not loop on a fragment that spreads itself (validation reports the cycle)', () => {
    expect(measure('{ me { ...A } } fragment A on Viewer { id ...A }').depth).toBe(2);
  });

  it('leaves introspection out', () => {
    expect(measure(getIntrospectionQuery()).cost).toBe(0);
  });
});

describe('checkOperationLimits (CONTRACT.md defaults)', () => {
  it('lets depth 12 through and refuses 13 (instrument → blackouts → instrument → …)', () => {
    const window = 'from: "2026-12-01T00:00:00Z", to: "2026-12-02T00:00:00Z"';
    const nested = (depth: number): string => {
      // instrument(id) is depth 1; each blackouts { instrument { … } } adds two; `id` closes it.
      let inner = 'id';
      for (let level = depth - 1; level > 1; level -= 1)
        inner = level % 2 === 0 ? `blackouts(${window}) { ${inner} }` : `instrument { ${inner} }`;
      return `{ instrument(id: "x") { ${inner} } }`;
    };
    const depthOnly = { ...DEFAULT_OPERATION_LIMITS, maxCost: Number.POSITIVE_INFINITY };
    expect(measure(nested(12)).depth).toBe(12);
    expect(() => checkOperationLimits(measure(nested(12)), depthOnly)).not.toThrow();
    expect(() => checkOperationLimits(measure(nested(13)), depthOnly)).toThrow(/13 fields deep; at most 12/);
    // so deep a nest of lists is far over the cost limit as well
    expect(refusal(nested(12))).toBe('LIMIT_EXCEEDED');
  });

  it('refuses 21 aliases and allows 20', () => {
    const aliased = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
    expect(refusal(aliased(20))).toBeNull();
    expect(refusal(aliased(21))).toBe('LIMIT_EXCEEDED');
    expect(refusal(aliased(200))).toBe('LIMIT_EXCEEDED');
  });

  it('lets a 1,000-proposal batch with its candidates through', () => {
    const inputs = Array.from({ length: 1000 }, () => ({}));
    const query =
      'mutation ($inputs: [PurchaseProposalInput!]!) { checkDuplicatePurchases(inputs: $inputs) { id verdict digest proposal { title institution { code } } unavailableInstitutions { code } candidates { score reasons distanceKm instrument { id name institution { code name } } } } }';
    expect(refusal(query, { inputs })).toBeNull();
  });

  it('refuses 20 aliased pages of 100 with fees, open hours, availability and blackouts, and lets one such page through', () => {
    const window = 'from: "2026-12-01T00:00:00Z", to: "2026-12-31T00:00:00Z"';
    const page = (i: number) =>
      `s${i}: searchInstruments(first: 100) { edges { node { id name fees { hourlyRate } openHours { weekday } availability(${window}) { start } blackouts(${window}) { start } } } }`;
    expect(measure(`{ ${page(0)} }`).cost).toBe(1 + 100 + 100 + 900 + 3 * 2000);
    expect(refusal(`{ ${page(0)} }`)).toBeNull();
    expect(refusal(`{ ${Array.from({ length: 20 }, (_, i) => page(i)).join(' ')} }`)).toBe('LIMIT_EXCEEDED');
  });
});
