// The /_sim control plane: stats, effect inspection, reset, and faults at run time.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- response bodies are untyped JSON checked by the assertions */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, getToken, startSim, triggerBody } from './sim-harness.ts';
import type { RunningSim } from './sim-harness.ts';

describe('sim stats and control', () => {
  let s: RunningSim;
  let token: string;
  before(async () => {
    s = await startSim();
    token = await getToken(s.url);
    await call(s.url, 'POST', '/api/v1/journeys/j-welcome/trigger', {
      token,
      body: triggerBody({ deduplicationId: 'st-1' }),
      headers: { 'idempotency-key': '"st-1"', 'x-correlation-id': 'corr-1' },
    });
    await call(s.url, 'GET', '/api/v1/contacts/missing-1', { token });
  });
  after(() => s.close());

  it('counts requests per endpoint template and status', async () => {
    const res = await call(s.url, 'GET', '/_sim/stats');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.requests['POST /api/v1/journeys/{id}/trigger'], { '202': 1 });
    assert.deepEqual(res.body.requests['GET /api/v1/contacts/{id}'], { '404': 1 });
    assert.deepEqual(res.body.requests['POST /oauth2/token'], { '200': 1 });
    assert.deepEqual(res.body.effects.byKey, { 'st-1': 1 });
    assert.equal(res.body.seed, 7);
  });

  it('leaves byKey out on request', async () => {
    const res = await call(s.url, 'GET', '/_sim/stats?byKey=false');
    assert.equal(res.body.effects.byKey, undefined);
    assert.equal(res.body.effects.distinctKeys, 1);
  });

  it('returns the first request of an effect without its Authorization header', async () => {
    const res = await call(s.url, 'GET', '/_sim/effects/st-1');
    assert.equal(res.status, 200);
    assert.equal(res.body.count, 1);
    assert.equal(res.body.first.body.deduplicationId, 'st-1');
    assert.equal(res.body.first.headers['x-correlation-id'], 'corr-1');
    assert.equal(res.body.first.headers.authorization, undefined);
    assert.equal((await call(s.url, 'GET', '/_sim/effects/unknown')).status, 404);
  });

  it('reads and changes faults at run time, rejecting invalid values with every issue', async () => {
    const set = await call(s.url, 'POST', '/_sim/faults', { body: { latencyMs: 5, rate429: 0.1 } });
    assert.equal(set.status, 200);
    assert.equal((await call(s.url, 'GET', '/_sim/faults')).body.latencyMs, 5);
    const bad = await call(s.url, 'POST', '/_sim/faults', { body: { rate5xx: 2, hangMs: -1, nope: 1 } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.issues.length, 3);
    const sum = await call(s.url, 'POST', '/_sim/faults', { body: { rate5xx: 0.6, rateDrop: 0.6 } });
    assert.equal(sum.status, 400);
    assert.equal((await call(s.url, 'GET', '/_sim/faults')).body.rate5xx, 0);
    await call(s.url, 'POST', '/_sim/faults', { body: { latencyMs: 0, rate429: 0 } });
  });

  it('resets state and stats but keeps tokens', async () => {
    assert.equal((await call(s.url, 'POST', '/_sim/reset')).status, 200);
    const stats = (await call(s.url, 'GET', '/_sim/stats')).body;
    assert.deepEqual(stats.requests, {});
    assert.equal(stats.effects.total, 0);
    assert.equal(stats.triggersAccepted, 0);
    assert.equal((await call(s.url, 'GET', '/_sim/effects/st-1')).status, 404);
    // The idempotency store is cleared too: the same key is a new effect now.
    const again = await call(s.url, 'POST', '/api/v1/journeys/j-welcome/trigger', {
      token,
      body: triggerBody({ deduplicationId: 'st-1' }),
    });
    assert.equal(again.status, 202);
    assert.equal(again.headers.get('idempotent-replayed'), null);
  });
});
