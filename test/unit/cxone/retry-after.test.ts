import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withRetry } from '../../../src/cxone/retry.ts';
import { CONTACT, FAST_RETRY, startStack } from './cxone-harness.ts';

describe('Retry-After (429 row) against the simulator', () => {
  for (const [format, seconds] of [
    ['seconds', 1],
    ['http-date', 2],
  ] as const) {
    it(`waits at least the Retry-After (${format}) before retrying`, async () => {
      const stack = await startStack();
      try {
        await stack.tokens.getToken();
        stack.sim.setFaults({ rate429: 1, retryAfterS: seconds, retryAfterFormat: format });
        let told = -1;
        let message = '';
        const started = performance.now();
        const { attempts } = await withRetry(
          { ...FAST_RETRY, maxElapsedMs: 10_000 },
          () => stack.send(CONTACT),
          {
            onRetry: (error, delayMs) => {
              told = delayMs;
              message = error.message;
              stack.sim.setFaults({ rate429: 0 });
            },
          },
        );
        const elapsed = performance.now() - started;
        console.log(`Retry-After ${format}: told ${told} ms, waited ${elapsed.toFixed(0)} ms`);
        assert.equal(attempts, 2);
        assert.match(message, /CXONE|rate limit reached; waiting as told by Retry-After/);
        // An HTTP-date has whole-second resolution, so it may differ from retryAfterS by up to 1 s.
        assert.ok(told >= (seconds - 1) * 1000 && told <= (seconds + 1) * 1000, `told ${told}`);
        assert.ok(elapsed >= Math.max(told, 1000) - 5, `waited ${elapsed} ms, told ${told} ms`);
      } finally {
        await stack.close();
      }
    });
  }
});
