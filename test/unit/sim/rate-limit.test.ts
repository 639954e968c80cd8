// The hard token bucket: holds roughly the configured rate over all /api requests (token
// endpoints included) and answers 429 with Retry-After beyond it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, getToken, startSim } from './sim-harness.ts';
import type { RunningSim } from './sim-harness.ts';

describe('sim hard rate limit', () => {
  let s: RunningSim;
  let token: string;
  before(async () => {
    s = await startSim();
    token = await getToken(s.url);
    s.sim.setFaults({ rateLimitRps: 40, rateLimitBurst: 10 });
  });
  after(() => s.close());

  it('admits about burst + rps * seconds over one second of load', async () => {
    const started = performance.now();
    let ok = 0;
    let limited = 0;
    let retryAfter: string | null = null;
    const worker = async (): Promise<void> => {
      while (performance.now() - started < 1000) {
        const res = await call(s.url, 'GET', '/api/v1/contacts/c-000001', { token });
        if (res.status === 200) ok++;
        else if (res.status === 429) {
          limited++;
          retryAfter = res.headers.get('retry-after');
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    const seconds = (performance.now() - started) / 1000;
    const expected = 10 + 40 * seconds;
    assert.ok(
      ok >= expected * 0.8 && ok <= expected * 1.2,
      `ok ${ok}, expected about ${expected.toFixed(0)}`,
    );
    assert.ok(limited > 0, 'some requests were limited');
    assert.equal(retryAfter, '1');
    assert.equal(s.sim.stats().faultsInjected.rateLimited, limited);
  });

  it('limits the token endpoints too', async () => {
    s.sim.setFaults({ rateLimitRps: 0.5, rateLimitBurst: 1 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${s.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&client_id=sim-client&client_secret=sim-secret',
      });
      statuses.push(res.status);
      // At 0.5 rps a token takes up to 2 s to refill.
      if (res.status === 429) assert.ok(['1', '2'].includes(res.headers.get('retry-after') ?? ''));
    }
    assert.ok(statuses.includes(429), statuses.join(','));
  });
});
