// Injected responses: 429 with Retry-After (both forms), 5xx mix, latency; never on /_sim.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { RUNTIME_DEFAULTS } from '../../../src/sim/options.ts';
import { call, getToken, startSim } from './sim-harness.ts';
import type { RunningSim } from './sim-harness.ts';

describe('sim injected responses', () => {
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

  const contact = () => call(s.url, 'GET', '/api/v1/contacts/c-000001', { token });

  it('answers 429 with Retry-After in seconds', async () => {
    s.sim.setFaults({ rate429: 1, retryAfterS: 7 });
    const res = await contact();
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '7');
    assert.equal(s.sim.stats().sent429, 1);
    assert.equal(s.sim.stats().faultsInjected.random429, 1);
  });

  it('answers 429 with Retry-After as an HTTP-date', async () => {
    s.sim.setFaults({ rate429: 1, retryAfterS: 30, retryAfterFormat: 'http-date' });
    const res = await contact();
    const at = Date.parse(res.headers.get('retry-after') ?? '');
    assert.ok(
      at - Date.now() > 28_000 && at - Date.now() <= 31_000,
      `retry-after ${res.headers.get('retry-after')}`,
    );
  });

  it('answers a mix of 500, 502 and 503 at rate5xx', async () => {
    s.sim.setFaults({ rate5xx: 1 });
    const statuses = new Set<number>();
    for (let i = 0; i < 40; i++) statuses.add((await contact()).status);
    assert.deepEqual([...statuses].sort(), [500, 502, 503]);
  });

  it('injects roughly the configured fraction of faults', async () => {
    s.sim.setFaults({ rate5xx: 0.25 });
    let failed = 0;
    for (let i = 0; i < 400; i++) if ((await contact()).status >= 500) failed++;
    assert.ok(failed > 60 && failed < 140, `failed ${failed}/400`);
  });

  it('adds latency to /api requests but not to /_sim', async () => {
    s.sim.setFaults({ latencyMs: 120 });
    let t = performance.now();
    assert.equal((await contact()).status, 200);
    assert.ok(performance.now() - t >= 115, 'api latency');
    t = performance.now();
    await call(s.url, 'GET', '/_sim/stats');
    assert.ok(performance.now() - t < 100, '/_sim is not delayed');
  });

  it('never injects faults into /_sim', async () => {
    s.sim.setFaults({ rate5xx: 1 });
    for (let i = 0; i < 10; i++) assert.equal((await call(s.url, 'GET', '/_sim/faults')).status, 200);
  });

  it('draws the same faults from the same seed', async () => {
    const pattern = async (): Promise<number[]> => {
      s.sim.reset();
      s.sim.setFaults({ rate5xx: 0.5 });
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await contact()).status);
      return out;
    };
    assert.deepEqual(await pattern(), await pattern());
  });
});
