import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createRateLimiter } from '../../../src/cxone/rate-limiter.ts';
import { withRetry } from '../../../src/cxone/retry.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { CONTACT, startStack } from './cxone-harness.ts';
import { manualClock, settle } from '../source/source-fakes.ts';

const CONFIG = {
  requestsPerSecond: 50,
  burst: 1,
  decreaseFactor: 0.5,
  decreaseCooldownMs: 1_000,
  recoveryPerSecond: 10,
  minRequestsPerSecond: 1,
};

describe('rate limiter', () => {
  it('holds the configured rate against the simulator (±15% over ~2 s), counting the token request', async () => {
    const limiter = createRateLimiter(CONFIG);
    const stack = await startStack({ limiter });
    try {
      const arrivals: number[] = [];
      const started = performance.now();
      await Promise.all(
        Array.from({ length: 100 }, async () => {
          await stack.send(CONTACT);
          arrivals.push(performance.now() - started);
        }),
      );
      const last = Math.max(...arrivals);
      // 101 requests (token + 100) at 50/s with burst 1: the last leaves at 100/50 = 2 s.
      const achieved = 100 / (last / 1000);
      console.log(`limiter: configured 50/s, achieved ${achieved.toFixed(1)}/s over ${last.toFixed(0)} ms`);
      assert.ok(Math.abs(achieved - 50) / 50 < 0.15, `achieved ${achieved}/s`);
      assert.equal(stack.sim.stats().tokensIssued, 1);
    } finally {
      await stack.close();
    }
  });

  it('AIMD: halves on 429 (once per cooldown), never below the floor, recovers additively', () => {
    let t = 0;
    const metrics = createMetrics(new Registry(), false);
    const limiter = createRateLimiter(CONFIG, { now: () => t, metrics });
    limiter.onRateLimited();
    limiter.onRateLimited(); // same overload: ignored within the cooldown
    assert.equal(limiter.allowedRate(), 25);
    t += 1_000;
    assert.equal(limiter.allowedRate(), 35);
    limiter.onRateLimited();
    assert.equal(limiter.allowedRate(), 17.5);
    for (let i = 0; i < 10; i++) {
      t += 1_000;
      limiter.onRateLimited();
    }
    assert.ok(limiter.allowedRate() >= 1);
    t += 60_000;
    assert.equal(limiter.allowedRate(), 50, 'back to the configured rate, not above');
  });

  it('exports the allowed rate and waits as metrics', async () => {
    const metrics = createMetrics(new Registry(), false);
    const limiter = createRateLimiter({ ...CONFIG, requestsPerSecond: 100 }, { metrics });
    await Promise.all([limiter.acquire(), limiter.acquire(), limiter.acquire()]);
    limiter.onRateLimited();
    const text = await metrics.registry.metrics();
    assert.match(text, /cxone_connector_cxone_allowed_requests_per_second 50/);
    assert.match(text, /cxone_connector_cxone_limiter_waits_total 2/);
  });

  it('slows down on real 429s from the simulator and recovers afterwards', async () => {
    const limiter = createRateLimiter({
      ...CONFIG,
      requestsPerSecond: 100,
      burst: 10,
      recoveryPerSecond: 40,
    });
    // The tenant allows only 20/s: the first burst meets 429s.
    const stack = await startStack({ limiter, sim: { rateLimitRps: 20, rateLimitBurst: 5, retryAfterS: 0 } });
    try {
      let saw429 = 0;
      let lowest = 100;
      await Promise.all(
        Array.from({ length: 30 }, () =>
          withRetry(
            { maxAttempts: 20, initialDelayMs: 10, maxDelayMs: 100, multiplier: 2, maxElapsedMs: 10_000 },
            () => stack.send(CONTACT),
            {
              onRetry: (error) => {
                if (error.code === 'CXONE_RATE_LIMITED') saw429++;
                lowest = Math.min(lowest, limiter.allowedRate());
              },
            },
          ),
        ),
      );
      assert.ok(saw429 > 0, 'the simulator answered 429');
      assert.ok(lowest < 60, `allowed rate dropped to ${lowest}`);
      await sleep(1_400);
      assert.equal(limiter.allowedRate(), 100, 'recovered to the configured rate');
    } finally {
      await stack.close();
    }
  });

  it('a 429 slows down the callers already waiting, not only later ones', async () => {
    const clock = manualClock();
    const limiter = createRateLimiter(
      { ...CONFIG, requestsPerSecond: 100, recoveryPerSecond: 0.001 },
      { now: clock.now, setTimer: clock.schedule },
    );
    let released = 0;
    // Read through a function: assert.equal narrows a plain variable to the literal it checked.
    const count = () => released;
    for (let i = 0; i < 60; i++) void limiter.acquire().then(() => released++);
    await settle();
    assert.equal(count(), 1, 'burst 1: one at once, the rest queue');
    clock.advance(100);
    await settle();
    assert.equal(count(), 11, '100/s: one every 10 ms');
    limiter.onRateLimited();
    clock.advance(100);
    await settle();
    assert.ok(count() <= 16, `after the 429 the queue drains at 50/s (released ${count()})`);
    assert.ok(count() >= 15, `and does not stall (released ${count()})`);
  });

  it("a share of the group's limit: rate, burst and recovery scaled; share 0 sends nothing until one is given", async () => {
    const clock = manualClock();
    const limiter = createRateLimiter(
      { ...CONFIG, requestsPerSecond: 100, burst: 10 },
      { now: clock.now, setTimer: clock.schedule },
    );
    limiter.setShare(0.25);
    assert.equal(limiter.allowedRate(), 25);
    let released = 0;
    const count = () => released;
    for (let i = 0; i < 100; i++) void limiter.acquire().then(() => released++);
    await settle();
    assert.equal(count(), 2, 'a quarter of the burst (2.5 → 2 at once)');
    clock.advance(1000);
    await settle();
    assert.ok(Math.abs(count() - 27) <= 1, `25/s over a second after the burst (released ${count()})`);

    limiter.setShare(0);
    const before = count();
    clock.advance(5000);
    await settle();
    assert.equal(count(), before, 'no partitions: nothing is sent');
    assert.equal(limiter.allowedRate(), 0);

    limiter.setShare(0.5);
    clock.advance(1000);
    await settle();
    assert.ok(
      Math.abs(count() - before - 50) <= 5,
      `50/s with half the partitions (released ${count() - before})`,
    );
  });

  it('AIMD stays on top of the share: a 429 halves the share, recovery climbs to it', () => {
    let t = 0;
    const limiter = createRateLimiter(CONFIG, { now: () => t });
    limiter.setShare(0.5);
    limiter.onRateLimited();
    assert.equal(limiter.allowedRate(), 12.5);
    t += 60_000;
    assert.equal(limiter.allowedRate(), 25, 'back to the share, not above');
    limiter.onRateLimited();
    limiter.setShare(1);
    assert.equal(
      limiter.allowedRate(),
      25,
      'a new share keeps the slowed-down fraction (12.5 of 25 → 25 of 50)',
    );
  });

  it('a waiting caller is released by its abort signal', async () => {
    const limiter = createRateLimiter({ ...CONFIG, requestsPerSecond: 1 });
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort();
    await assert.rejects(waiting, { name: 'AbortError' });
  });
});
