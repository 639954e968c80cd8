// Data action definition fetch, input validation (422) and sync invocation (seed 002 steps 1-3).
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument -- response bodies are untyped JSON checked by the assertions */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, getToken, startSim } from './sim-harness.ts';
import type { RunningSim } from './sim-harness.ts';

describe('sim data actions (sync)', () => {
  let s: RunningSim;
  let token: string;
  before(async () => {
    s = await startSim();
    token = await getToken(s.url);
  });
  after(() => s.close());

  const invoke = (id: string, body: unknown, headers: Record<string, string> = {}) =>
    call(s.url, 'POST', `/api/v2/data-actions/${id}/invoke`, { token, body, headers });

  it('returns the action definition', async () => {
    const res = await call(s.url, 'GET', '/api/v2/data-actions/da-customer-lookup', { token });
    assert.equal(res.status, 200);
    assert.equal(res.body.mode, 'sync');
    assert.deepEqual(res.body.inputs[0], { name: 'customerId', type: 'string', required: true });
    assert.equal((await call(s.url, 'GET', '/api/v2/data-actions/da-nope', { token })).status, 404);
  });

  it('completes a sync invocation with 200 and deterministic outputs', async () => {
    const body = {
      inputs: { customerId: 'CUST_99', lookupType: 'address' },
      context: { channel: 'web' },
      callbackUrl: null,
    };
    const a = await invoke('da-customer-lookup', body);
    const b = await invoke('da-customer-lookup', {
      ...body,
      inputs: { lookupType: 'address', customerId: 'CUST_99' },
    });
    assert.equal(a.status, 200);
    assert.equal(a.body.status, 'completed');
    assert.match(a.body.invokeId, /^inv-/);
    assert.equal(a.body.outputs.customerId, 'CUST_99');
    assert.ok(['bronze', 'silver', 'gold', 'platinum'].includes(a.body.outputs.tier));
    assert.equal(typeof a.body.outputs.score, 'number');
    assert.deepEqual(b.body.outputs, a.body.outputs);
    assert.notEqual(b.body.invokeId, a.body.invokeId);
  });

  it('422s inputs that break the definition, listing every problem', async () => {
    const res = await invoke('da-customer-lookup', {
      inputs: { maxResults: 1.5, includeHistory: 'true', color: 'red' },
    });
    assert.equal(res.status, 422);
    const fields = (res.body.errors as { field: string; code: number }[]).map((e) => e.field).sort();
    assert.deepEqual(fields, [
      'inputs.color',
      'inputs.customerId',
      'inputs.includeHistory',
      'inputs.maxResults',
    ]);
    assert.ok((res.body.errors as { code: number }[]).every((e) => e.code === 422));
  });

  it('422s a missing inputs object, 400s invalid JSON, 404s an unknown action', async () => {
    assert.equal((await invoke('da-customer-lookup', { context: {} })).body.errors[0].field, 'inputs');
    const bad = await call(s.url, 'POST', '/api/v2/data-actions/da-customer-lookup/invoke', {
      token,
      rawBody: '{',
    });
    assert.equal(bad.status, 400);
    assert.equal((await invoke('da-nope', { inputs: {} })).status, 404);
  });

  it('counts invokes without a key as distinct effects, and sync completions', () => {
    const stats = s.sim.stats();
    assert.equal(stats.effects.total, 2);
    assert.deepEqual(stats.effects.duplicates, {});
    assert.ok(Object.keys(stats.effects.byKey ?? {}).every((k) => k.startsWith('no-key:inv-')));
    assert.equal(stats.invocations.completed, 2);
  });
});
