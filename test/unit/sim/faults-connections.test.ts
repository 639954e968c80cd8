// Connection-level faults (hang, drop) and faults after the effect: the response is lost but the
// trigger or invoke happened, so only an idempotent retry keeps the effect single.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { RUNTIME_DEFAULTS } from '../../../src/sim/options.ts';
import { call, getToken, startSim, triggerBody } from './sim-harness.ts';
import type { RunningSim } from './sim-harness.ts';

describe('sim connection faults', () => {
  let s: RunningSim;
  let token: string;
  before(async () => {
    s = await startSim();
    token = await getToken(s.url);
  });
  beforeEach(() => {
    s.sim.setFaults(RUNTIME_DEFAULTS);
    s.sim.reset();
  });
  after(() => s.close());

  const trigger = (key: string) =>
    call(s.url, 'POST', '/api/v1/journeys/j-welcome/trigger', {
      token,
      body: triggerBody({ deduplicationId: key }),
    });

  it('hangs for hangMs, then destroys the socket without a response', async () => {
    s.sim.setFaults({ rateHang: 1, hangMs: 200 });
    const t = performance.now();
    await assert.rejects(call(s.url, 'GET', '/api/v1/contacts/c-000001', { token }));
    assert.ok(performance.now() - t >= 190, 'waited for the hang');
    assert.equal(s.sim.stats().faultsInjected.hang, 1);
    assert.deepEqual(s.sim.stats().requests['GET /api/v1/contacts/{id}'], { hang: 1 });
  });

  it('drops the connection without a response', async () => {
    s.sim.setFaults({ rateDrop: 1 });
    await assert.rejects(call(s.url, 'GET', '/api/v1/contacts/c-000001', { token }));
    assert.equal(s.sim.stats().faultsInjected.drop, 1);
  });

  it('applies faults before the effect when faultAfterEffectRatio is 0', async () => {
    s.sim.setFaults({ rate5xx: 1, faultAfterEffectRatio: 0 });
    assert.ok((await trigger('before-1')).status >= 500);
    assert.equal(s.sim.stats().effects.total, 0);
  });

  it('records the effect when a 5xx comes after it, and replays it on retry', async () => {
    s.sim.setFaults({ rate5xx: 1, faultAfterEffectRatio: 1 });
    assert.ok((await trigger('after-1')).status >= 500);
    assert.deepEqual(s.sim.stats().effects.byKey, { 'after-1': 1 });
    assert.equal(s.sim.stats().faultsInjected.afterEffect, 1);
    s.sim.setFaults({ rate5xx: 0 });
    const retry = await trigger('after-1');
    assert.equal(retry.status, 202);
    assert.equal(retry.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(s.sim.stats().effects.byKey, { 'after-1': 1 });
  });

  it('records the effect when the connection drops after it', async () => {
    s.sim.setFaults({ rateDrop: 1, faultAfterEffectRatio: 1 });
    await assert.rejects(trigger('after-2'));
    assert.equal(s.sim.stats().effects.total, 1);
    assert.equal(s.sim.stats().triggersAccepted, 1);
  });

  it('ends hanging requests when the simulator closes', async () => {
    const other = await startSim({ rateHang: 1, hangMs: 60_000 });
    const t = performance.now();
    const pending = call(other.url, 'GET', '/api/v1/contacts/c-000001');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await other.close();
    await assert.rejects(pending);
    assert.ok(performance.now() - t < 5_000, 'did not wait for hangMs');
  });
});
