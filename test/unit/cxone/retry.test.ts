import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelayMs, withRetry, type RetryDeps } from '../../../src/cxone/retry.ts';
import { CxoneError, MappingError } from '../../../src/errors.ts';

const policy = { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, maxElapsedMs: 10_000 };

function fakeClock(random = 0.5): RetryDeps & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    random: () => random,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
  };
}

const retryable = (retryAfterMs?: number) =>
  new CxoneError('CXONE_SERVER_ERROR', 'boom', {
    retryable: true,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });

describe('withRetry', () => {
  it('retries retryable errors with full-jitter exponential backoff, then succeeds', async () => {
    const deps = fakeClock(0.5);
    let calls = 0;
    const result = await withRetry(
      policy,
      async () => {
        if (++calls < 4) throw retryable();
        return 'ok';
      },
      { deps },
    );
    assert.deepEqual(result, { value: 'ok', attempts: 4 });
    assert.deepEqual(deps.slept, [50, 100, 200]);
  });

  it('honours Retry-After instead of its own backoff', async () => {
    const deps = fakeClock();
    let calls = 0;
    await withRetry(
      policy,
      async () => {
        if (++calls === 1) throw retryable(2500);
        return 1;
      },
      { deps },
    );
    assert.deepEqual(deps.slept, [2500]);
  });

  it('does not retry permanent errors', async () => {
    const deps = fakeClock();
    let calls = 0;
    await assert.rejects(
      withRetry(
        policy,
        async () => {
          calls++;
          throw new MappingError('MAPPING_FAILED', 'no');
        },
        { deps },
      ),
      { code: 'MAPPING_FAILED' },
    );
    assert.equal(calls, 1);
  });

  it('gives up after maxAttempts with a retryable RETRIES_EXHAUSTED error', async () => {
    const deps = fakeClock();
    let calls = 0;
    await assert.rejects(
      withRetry(
        policy,
        async () => {
          calls++;
          throw retryable();
        },
        { deps },
      ),
      (error: unknown) =>
        error instanceof CxoneError && error.code === 'CXONE_RETRIES_EXHAUSTED' && error.retryable,
    );
    assert.equal(calls, 5);
  });

  it('gives up when the next wait would pass maxElapsedMs', async () => {
    const deps = fakeClock();
    let calls = 0;
    await assert.rejects(
      withRetry(
        { ...policy, maxElapsedMs: 3000 },
        async () => {
          calls++;
          throw retryable(2000);
        },
        { deps },
      ),
      { code: 'CXONE_RETRIES_EXHAUSTED' },
    );
    assert.equal(calls, 2);
  });

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = withRetry(
      policy,
      async () => {
        throw retryable(60_000);
      },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(pending);
    assert.ok(Date.now() - started < 5000);
  });
});

describe('backoffDelayMs', () => {
  it('caps at maxDelayMs', () => {
    assert.equal(
      backoffDelayMs(policy, 20, () => 0.999999),
      999,
    );
    assert.equal(
      backoffDelayMs(policy, 1, () => 0),
      0,
    );
  });
});
