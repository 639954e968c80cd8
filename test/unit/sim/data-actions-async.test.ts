// Async data actions: 202 + invokeId, then polling through queued -> running -> terminal state,
// driven by a manual clock (seed 002 "Step 3").
/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON checked by the assertions */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { call, createManualClock, getToken, startSim } from './sim-harness.ts';
import type { RunningSim } from './sim-harness.ts';

describe('sim data actions (async)', () => {
  const clock = createManualClock();
  let s: RunningSim;
  let token: string;
  before(async () => {
    s = await startSim({ asyncDelayMs: 1000 }, { now: clock.now });
    token = await getToken(s.url);
  });
  beforeEach(() => {
    s.sim.reset();
    s.sim.setFaults({ asyncFailRate: 0, asyncCancelRate: 0 });
  });
  after(() => s.close());

  async function start(): Promise<string> {
    const res = await call(s.url, 'POST', '/api/v2/data-actions/da-order-sync/invoke', {
      token,
      body: { inputs: { orderId: 'O-1', amount: 12.5 } },
    });
    assert.equal(res.status, 202);
    assert.equal(res.body.status, 'queued');
    assert.equal(
      res.headers.get('location'),
      `/api/v2/data-actions/da-order-sync/invoke/${res.body.invokeId}`,
    );
    return res.body.invokeId as string;
  }
  const poll = (id: string) =>
    call(s.url, 'GET', `/api/v2/data-actions/da-order-sync/invoke/${id}`, { token });

  it('goes queued -> running -> completed with outputs', async () => {
    const id = await start();
    assert.equal((await poll(id)).body.status, 'queued');
    assert.equal(s.sim.stats().invocations.queued, 1);
    clock.advance(300);
    assert.equal((await poll(id)).body.status, 'running');
    assert.equal(s.sim.stats().invocations.running, 1);
    clock.advance(700);
    const done = await poll(id);
    assert.equal(done.body.status, 'completed');
    assert.deepEqual(done.body.outputs.orderId, 'O-1');
    assert.equal(typeof done.body.outputs.syncReference, 'string');
    assert.deepEqual(s.sim.stats().invocations, {
      queued: 0,
      running: 0,
      completed: 1,
      failed: 0,
      cancelled: 0,
    });
  });

  it('fails at asyncFailRate with errors', async () => {
    s.sim.setFaults({ asyncFailRate: 1 });
    const id = await start();
    clock.advance(1000);
    const res = await poll(id);
    assert.equal(res.body.status, 'failed');
    assert.equal(res.body.errors[0].code, 500);
    assert.equal(res.body.outputs, undefined);
    assert.equal(s.sim.stats().invocations.failed, 1);
  });

  it('is cancelled at asyncCancelRate', async () => {
    s.sim.setFaults({ asyncCancelRate: 1 });
    const id = await start();
    clock.advance(1000);
    assert.equal((await poll(id)).body.status, 'cancelled');
    assert.equal(s.sim.stats().invocations.cancelled, 1);
  });

  it('404s unknown invocations and invocations of another action', async () => {
    const id = await start();
    assert.equal((await poll('inv-nope')).status, 404);
    const other = await call(s.url, 'GET', `/api/v2/data-actions/da-customer-lookup/invoke/${id}`, { token });
    assert.equal(other.status, 404);
  });

  it('replays the same invokeId for a repeated Idempotency-Key', async () => {
    const send = () =>
      call(s.url, 'POST', '/api/v2/data-actions/da-order-sync/invoke', {
        token,
        body: { inputs: { orderId: 'O-2', amount: 1 } },
        headers: { 'idempotency-key': 'inv-key-1' },
      });
    const a = await send();
    const b = await send();
    assert.equal(b.status, 202);
    assert.equal(b.body.invokeId, a.body.invokeId);
    assert.equal(s.sim.stats().invocations.queued, 1);
  });
});
