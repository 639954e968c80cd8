import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { coerceValue, validateInputs } from '../../../src/cxone/data-action-inputs.ts';

describe('data action input coercion', () => {
  const rows: [string, unknown, { value: unknown } | RegExp][] = [
    ['string', 'abc', { value: 'abc' }],
    ['string', 12.5, { value: '12.5' }],
    ['string', true, { value: 'true' }],
    ['string', { a: 1 }, /expected a string, got an object/],
    ['string', [1], /expected a string/],
    ['number', 1.5, { value: 1.5 }],
    ['number', '1.5', { value: 1.5 }],
    ['number', '1e3', { value: 1000 }],
    ['number', '12abc', /expected a number, got a string of 5 characters$/],
    ['number', true, /expected a number/],
    ['integer', 12, { value: 12 }],
    ['integer', '12', { value: 12 }],
    ['integer', '12abc', /expected an integer, got a string of 5 characters$/],
    ['integer', 1.5, /expected an integer, got a fractional number$/],
    ['integer', '1.5', /expected an integer/],
    ['integer', '9007199254740993', /expected an integer/],
    ['boolean', true, { value: true }],
    ['boolean', 'true', { value: true }],
    ['boolean', 'false', { value: false }],
    ['boolean', 'yes', /expected a boolean/],
    ['boolean', 1, /expected a boolean/],
    ['array', ['a'], { value: ['a'] }],
    ['array', 'a', /expected an array/],
    ['object', { a: 1 }, { value: { a: 1 } }],
    ['object', '{"a":1}', /expected an object/],
    ['object', [1], /expected an object, got an array/],
  ];
  for (const [type, input, expected] of rows) {
    it(`${JSON.stringify(input)} → ${type}: ${expected instanceof RegExp ? 'error' : JSON.stringify(expected.value)}`, () => {
      const result = coerceValue(input, type);
      if (expected instanceof RegExp) {
        assert.equal(result.ok, false);
        if (!result.ok) assert.match(result.reason, expected);
      } else {
        assert.deepEqual(result, { ok: true, value: expected.value });
      }
    });
  }
});

describe('validateInputs', () => {
  const defs = [
    { name: 'customerId', type: 'string', required: true },
    { name: 'maxResults', type: 'integer', required: false },
  ];
  it('reports every problem at once: missing required, unknown, lossy', () => {
    const { problems } = validateInputs({ maxResults: '3x', colour: 'red' }, defs);
    assert.deepEqual(problems, [
      'inputs.customerId: required (string) but missing',
      'inputs.maxResults: expected an integer, got a string of 2 characters',
      'inputs.colour: unknown parameter (the action accepts customerId, maxResults)',
    ]);
  });
  it('coerces what it can without loss', () => {
    assert.deepEqual(validateInputs({ customerId: 42, maxResults: '7' }, defs), {
      inputs: { customerId: '42', maxResults: 7 },
      problems: [],
    });
  });
});
