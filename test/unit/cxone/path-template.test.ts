import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathTemplate } from '../../../src/cxone/path-template.ts';

describe('pathTemplate', () => {
  it('fills every placeholder, URL-encoded, wherever it stands', () => {
    const fill = pathTemplate('/api/v1/actions/{actionId}/invocations/{invokeId}');
    assert.equal(fill({ actionId: 'a 1', invokeId: 'i/2?x' }), '/api/v1/actions/a%201/invocations/i%2F2%3Fx');
    assert.equal(pathTemplate('{a}{b}')({ a: 'x', b: 'y' }), 'xy');
    assert.equal(pathTemplate('{a}/tail')({ a: 'é' }), '%C3%A9/tail');
  });

  it('leaves a placeholder without a value as written, and a template without any as it is', () => {
    assert.equal(pathTemplate('/journeys/{journeyId}/trigger')({}), '/journeys/{journeyId}/trigger');
    assert.equal(pathTemplate('/token')({ any: 'x' }), '/token');
  });

  it('fills the same template many times with different values', () => {
    const fill = pathTemplate('/contacts/{contactId}');
    assert.deepEqual(
      ['c-1', 'c-2'].map((contactId) => fill({ contactId })),
      ['/contacts/c-1', '/contacts/c-2'],
    );
  });
});
