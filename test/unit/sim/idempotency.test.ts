// Idempotency-Key semantics (IETF httpapi draft) on POST trigger and POST invoke.
/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON checked by the assertions */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { call, createManualClock, getToken, startSim, triggerBody } from './sim-harness.ts';
import type { RunningSim } from './sim-harness.ts';

describe('sim idempotency', () => {
  const clock = createManualClock();
  let s: RunningSim;
  let token: string;
  before(async () => {
    s = await startSim({ idempotencyTtlS: 60 }, { now: clock.now });
    token = await getToken(s.url);
  });
  beforeEach(() => s.sim.reset());
  after(() => s.close());

  const trigger = (body: unknown, key?: string) =>
    call(s.url, 'POST', '/api/v1/journeys/j-welcome/trigger', {
      token,
      body,
      ...(key !== undefined ? { headers: { 'idempotency-key': key } } : {}),
    });

  it('replays the stored first response for the same key and body, without a second effect', async () => {
    const first = await trigger(triggerBody(), 'k-1');
    const second = await trigger(triggerBody(), 'k-1');
    assert.equal(second.status, first.status);
    assert.deepEqual(second.body, first.body);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(s.sim.stats().effects.byKey, { 'k-1': 1 });
    assert.equal(s.sim.stats().idempotency.replays, 1);
  });

  it('falls back to deduplicationId when the header is absent', async () => {
    await trigger(triggerBody({ deduplicationId: 'd-9' }));
    await trigger(triggerBody({ deduplicationId: 'd-9' }));
    assert.deepEqual(s.sim.stats().effects.byKey, { 'd-9': 1 });
  });

  it('422s the same key with a different body', async () => {
    await trigger(triggerBody(), 'k-2');
    const res = await trigger(triggerBody({ event: 'OTHER' }), 'k-2');
    assert.equal(res.status, 422);
    assert.equal(res.body.error, 'idempotency_key_reused');
    assert.equal(s.sim.stats().effects.total, 1);
  });

  it('409s a request whose key is still in flight', async () => {
    s.sim.setFaults({ latencyMs: 150 });
    try {
      const [a, b] = await Promise.all([trigger(triggerBody(), 'k-3'), trigger(triggerBody(), 'k-3')]);
      assert.deepEqual([a.status, b.status].sort(), [202, 409]);
      assert.equal(s.sim.stats().effects.total, 1);
      assert.equal(s.sim.stats().idempotency.inFlightConflicts, 1);
    } finally {
      s.sim.setFaults({ latencyMs: 0 });
    }
  });

  it('forgets keys after idempotencyTtlS, so a late duplicate is a second effect (counted honestly)', async () => {
    await trigger(triggerBody(), 'k-4');
    clock.advance(61_000);
    const again = await trigger(triggerBody(), 'k-4');
    assert.equal(again.status, 202);
    assert.equal(again.headers.get('idempotent-replayed'), null);
    assert.deepEqual(s.sim.stats().effects.duplicates, { 'k-4': 2 });
  });

  it('does not store error responses: a fixed retry with the same key succeeds', async () => {
    const bad = await call(s.url, 'POST', '/api/v2/data-actions/da-customer-lookup/invoke', {
      token,
      body: { inputs: {} },
      headers: { 'idempotency-key': 'k-5' },
    });
    assert.equal(bad.status, 422);
    const good = await call(s.url, 'POST', '/api/v2/data-actions/da-customer-lookup/invoke', {
      token,
      body: { inputs: { customerId: 'C1' } },
      headers: { 'idempotency-key': 'k-5' },
    });
    assert.equal(good.status, 200);
  });
});
