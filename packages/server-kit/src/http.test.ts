import { describe, expect, it } from 'vitest';
import { runsOnly } from './http';

describe('runsOnly', () => {
  const only = ['importInstruments'];

  it('is true when every root field of the operation is allowed', () => {
    expect(
      runsOnly({ query: 'mutation ($csv: String!) { importInstruments(institution: "a", csv: $csv) { created } }' }, only),
    ).toBe(true);
    expect(runsOnly({ query: 'mutation { a: importInstruments(institution: "a", csv: "") { created } }' }, only)).toBe(true);
  });

  it('is false when another root field rides along, or for anything that is not one GraphQL operation', () => {
    expect(
      runsOnly({ query: 'mutation { importInstruments(institution: "a", csv: "") { created } createBooking { id } }' }, only),
    ).toBe(false);
    expect(runsOnly({ query: '{ ...F } fragment F on Query { me { id } }' }, only)).toBe(false);
    expect(runsOnly({ query: 'mutation A { importInstruments { created } } query B { me { id } }' }, only)).toBe(false);
    expect(
      runsOnly({ query: 'mutation A { importInstruments { created } } query B { me { id } }', operationName: 'B' }, only),
    ).toBe(false);
    expect(
      runsOnly({ query: 'mutation A { importInstruments { created } } query B { me { id } }', operationName: 'A' }, only),
    ).toBe(true);
    expect(runsOnly({ query: 'mutation { importInstruments(' }, only)).toBe(false);
    expect(runsOnly({ query: 42 }, only)).toBe(false);
    expect(runsOnly('mutation { importInstruments { created } }', only)).toBe(false);
    expect(runsOnly(null, only)).toBe(false);
  });
});
