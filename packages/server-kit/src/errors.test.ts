import { describe, expect, it } from 'vitest';
import { variableFieldOf } from './errors';

describe('variableFieldOf', () => {
  it('names the input at fault in GraphQL variable errors', () => {
    expect(
      variableFieldOf('Variable "$input" got invalid value -1 at "input.estimatedPrice"; Expected type "Yen". Yen must be whole'),
    ).toBe('input.estimatedPrice');
    expect(
      variableFieldOf(
        'Variable "$inputs" got invalid value { title: "x" } at "inputs[2]"; Field "estimatedPrice" of required type "Yen!" was not provided.',
      ),
    ).toBe('inputs[2].estimatedPrice');
    expect(
      variableFieldOf(
        'Variable "$input" got invalid value { title: "x" }; Field "estimatedPrice" of required type "Yen!" was not provided.',
      ),
    ).toBe('input.estimatedPrice');
    expect(variableFieldOf('Variable "$id" of required type "ID!" was not provided.')).toBe('id');
    expect(variableFieldOf('Cannot query field "nope" on type "Query".')).toBeNull();
  });
});
