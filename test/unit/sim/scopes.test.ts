// Scope enforcement: 403 with a body naming the missing scope, for narrowed tokens, the built-in
// read-only client and fixture clients with restricted scopes.
/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON checked by the assertions */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, getToken, startSim, triggerBody } from './sim-harness.ts';
import type { RunningSim } from './sim-harness.ts';

describe('sim scopes', () => {
  let s: RunningSim;
  before(
    async () =>
      (s = await startSim({
        fixtures: {
          clients: [{ clientId: 'journeys-only', clientSecret: 's3cret', scopes: ['journeys:trigger'] }],
        },
      })),
  );
  after(() => s.close());

  it('403s a token narrowed to another scope, naming the missing one', async () => {
    const token = await getToken(s.url, 'data-actions:read');
    const res = await call(s.url, 'GET', '/api/v1/contacts/c-000001', { token });
    assert.equal(res.status, 403);
    assert.equal(res.body.error, 'insufficient_scope');
    assert.equal(res.body.scope, 'contacts:read');
    assert.match(res.headers.get('www-authenticate') ?? '', /scope="contacts:read"/);
  });

  it('403s the read-only client on trigger and invoke', async () => {
    const token = await getToken(s.url, undefined, 'sim-readonly', 'sim-readonly-secret');
    const trigger = await call(s.url, 'POST', '/api/v1/journeys/j-welcome/trigger', {
      token,
      body: triggerBody(),
    });
    assert.equal(trigger.status, 403);
    assert.equal(trigger.body.scope, 'journeys:trigger');
    const invoke = await call(s.url, 'POST', '/api/v2/data-actions/da-customer-lookup/invoke', {
      token,
      body: { inputs: { customerId: 'C1' } },
    });
    assert.equal(invoke.status, 403);
    assert.equal(invoke.body.scope, 'data-actions:execute');
    assert.equal(
      (await call(s.url, 'GET', '/api/v2/data-actions/da-customer-lookup', { token })).status,
      200,
    );
  });

  it('applies a fixture client scope list', async () => {
    const token = await getToken(s.url, undefined, 'journeys-only', 's3cret');
    assert.equal((await call(s.url, 'GET', '/api/v1/journeys/j-welcome', { token })).status, 200);
    const res = await call(s.url, 'GET', '/api/v1/contacts/c-000001', { token });
    assert.equal(res.status, 403);
    assert.equal(res.body.scope, 'contacts:read');
  });

  it('changes a client at run time: a granted scope and a rotated secret apply to new tokens only', async () => {
    const before = await getToken(s.url, undefined, 'journeys-only', 's3cret');
    const changed = await call(s.url, 'POST', '/_sim/clients/journeys-only', {
      body: { clientSecret: 'rotated', scopes: ['journeys:trigger', 'contacts:read'] },
    });
    assert.equal(changed.status, 200);
    assert.deepEqual(changed.body.scopes, ['journeys:trigger', 'contacts:read']);
    assert.equal((await call(s.url, 'GET', '/api/v1/contacts/c-000001', { token: before })).status, 403);
    await assert.rejects(getToken(s.url, undefined, 'journeys-only', 's3cret'), /401/);
    const after = await getToken(s.url, undefined, 'journeys-only', 'rotated');
    assert.equal((await call(s.url, 'GET', '/api/v1/contacts/c-000001', { token: after })).status, 200);
    const unknown = await call(s.url, 'POST', '/_sim/clients/nobody', { body: { scopes: [] } });
    assert.equal(unknown.status, 404);
    const bad = await call(s.url, 'POST', '/_sim/clients/journeys-only', { body: { scopes: ['root'] } });
    assert.equal(bad.status, 400);
  });

  it('does not leave an effect behind on 403', () => {
    assert.equal(s.sim.stats().effects.total, 0);
  });
});
