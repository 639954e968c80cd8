import assert from 'node:assert/strict';
import { once } from 'node:events';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createCircuitBreaker, type BreakerState } from '../../../src/cxone/circuit-breaker.ts';
import { CxoneError } from '../../../src/errors.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { CONTACT, count, startStack } from './cxone-harness.ts';

const ROUTE = 'GET /api/v1/contacts/{id}';

describe('circuit breaker', () => {
  it('opens after consecutive 5xx, fails fast, probes when half-open, closes on success', async () => {
    const metrics = createMetrics(new Registry(), false);
    const breaker = createCircuitBreaker({ consecutiveFailures: 3, halfOpenAfterMs: 200 }, { metrics });
    const changes: BreakerState[] = [];
    const events = new EventEmitter();
    breaker.onStateChange((state) => {
      changes.push(state);
      events.emit(state);
    });
    const stack = await startStack({ breaker });
    try {
      await stack.send(CONTACT); // token + one success
      stack.sim.setFaults({ rate5xx: 1, retryAfterS: 0 });
      for (let i = 0; i < 3; i++) {
        await assert.rejects(stack.send(CONTACT), { code: 'CXONE_SERVER_ERROR' });
      }
      assert.equal(breaker.state(), 'open');
      assert.equal(breaker.isOpen(), true);
      const sent = count(stack, ROUTE);
      await assert.rejects(stack.send(CONTACT), (error: unknown) => {
        assert.ok(error instanceof CxoneError);
        assert.equal(error.code, 'CXONE_CIRCUIT_OPEN');
        assert.equal(error.retryable, true);
        assert.match(error.message, /check CXone status/);
        return true;
      });
      assert.equal(count(stack, ROUTE), sent, 'nothing reached CXone while open');
      assert.match(await metrics.registry.metrics(), /cxone_connector_cxone_breaker_state\{state="open"\} 1/);

      stack.sim.setFaults({ rate5xx: 0 });
      await once(events, 'half-open'); // announced by timer, with no traffic (the pipeline is paused)
      assert.equal(breaker.isOpen(), false);
      await stack.send(CONTACT);
      assert.equal(breaker.state(), 'closed');
      assert.deepEqual(changes, ['open', 'half-open', 'closed']);
      assert.match(
        await metrics.registry.metrics(),
        /cxone_connector_cxone_breaker_state\{state="closed"\} 1/,
      );
    } finally {
      await stack.close();
    }
  });

  it('a failed probe reopens it', async () => {
    const breaker = createCircuitBreaker({ consecutiveFailures: 1, halfOpenAfterMs: 50 });
    const stack = await startStack({ breaker });
    try {
      await stack.tokens.getToken();
      stack.sim.setFaults({ rate5xx: 1, retryAfterS: 0 });
      await assert.rejects(stack.send(CONTACT), { code: 'CXONE_SERVER_ERROR' });
      assert.equal(breaker.state(), 'open');
      await new Promise((resolve) => setTimeout(resolve, 80));
      assert.equal(breaker.state(), 'half-open');
      await assert.rejects(stack.send(CONTACT), { code: 'CXONE_SERVER_ERROR' });
      assert.equal(breaker.state(), 'open');
    } finally {
      await stack.close();
    }
  });

  it('429s and 4xx do not open it (CXone is up, just pushing back or refusing)', async () => {
    const breaker = createCircuitBreaker({ consecutiveFailures: 2, halfOpenAfterMs: 1000 });
    const stack = await startStack({ breaker });
    try {
      await stack.tokens.getToken();
      stack.sim.setFaults({ rate429: 1, retryAfterS: 0 });
      for (let i = 0; i < 3; i++) await assert.rejects(stack.send(CONTACT), { code: 'CXONE_RATE_LIMITED' });
      stack.sim.setFaults({ rate429: 0 });
      const missing = { ...CONTACT, path: '/api/v1/contacts/missing-1' };
      for (let i = 0; i < 3; i++) await assert.rejects(stack.send(missing), { code: 'CXONE_NOT_FOUND' });
      assert.equal(breaker.state(), 'closed');
    } finally {
      await stack.close();
    }
  });
});
