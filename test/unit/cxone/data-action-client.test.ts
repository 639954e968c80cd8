import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createDataActionClient } from '../../../src/cxone/data-action-client.ts';
import { CxoneError, failureClass } from '../../../src/errors.ts';
import type { DataActionRequest } from '../../../src/mapping/data-action-request.ts';
import { count, FAST_RETRY, startStack, type CxoneStack } from './cxone-harness.ts';

const OPTIONS = {
  paths: {
    dataAction: '/api/v2/data-actions/{actionId}',
    invoke: '/api/v2/data-actions/{actionId}/invoke',
    invokeStatus: '/api/v2/data-actions/{actionId}/invoke/{invokeId}',
  },
  retry: FAST_RETRY,
  definitionCacheTtlMs: 60_000,
  pollInitialMs: 20,
  pollMaxMs: 80,
  maxPollTimeMs: 3_000,
};

let seq = 0;
function request(overrides: Partial<DataActionRequest> = {}): DataActionRequest {
  seq++;
  return {
    kind: 'data-action',
    route: 'lookup',
    actionId: 'da-customer-lookup',
    contactId: 'c-000001',
    eventId: `e-${seq}`,
    idempotencyKey: `da-key-${seq}`,
    inputs: { customerId: 'CUST_99', maxResults: '5', includeHistory: 'true' },
    context: { channel: 'web' },
    ...overrides,
  };
}
const orderSync = (over: Partial<DataActionRequest> = {}) =>
  request({
    actionId: 'da-order-sync',
    inputs: { orderId: 'O-1', amount: '12.5', currency: 'EUR' },
    ...over,
  });

describe('data action client', () => {
  let stack: CxoneStack;
  before(async () => {
    stack = await startStack({ sim: { asyncDelayMs: 100 } });
  });
  beforeEach(() => stack.sim.setFaults({ asyncDelayMs: 100, asyncFailRate: 0, asyncCancelRate: 0 }));
  after(() => stack.close());
  const client = (over: Partial<typeof OPTIONS> = {}) =>
    createDataActionClient(stack.send, { ...OPTIONS, ...over });

  it('sync (200): validates, coerces, invokes with the Idempotency-Key and returns typed outputs', async () => {
    const req = request({ callbackUrl: 'https://cdp.example/cb' });
    const outcome = await client().invoke(req);
    assert.equal(outcome.outcome, 'ACCEPTED');
    assert.equal(outcome.httpStatus, 200);
    assert.match(outcome.reference ?? '', /^inv-/);
    assert.equal(outcome.outputs?.customerId, 'CUST_99');
    assert.equal(typeof outcome.outputs?.score, 'number');
    assert.equal(
      outcome.sentBody,
      JSON.stringify({
        inputs: { customerId: 'CUST_99', maxResults: 5, includeHistory: true },
        context: { channel: 'web' },
        callbackUrl: 'https://cdp.example/cb',
      }),
    );
    const effect = (await (await fetch(`${stack.url}/_sim/effects/${req.idempotencyKey}`)).json()) as {
      count: number;
    };
    assert.equal(effect.count, 1, 'the effect is recorded under our Idempotency-Key');
  });

  it('caches the action definition for its TTL', async () => {
    const c = client();
    const before = count(stack, 'GET /api/v2/data-actions/{id}');
    await c.invoke(request());
    await c.invoke(request());
    assert.equal(count(stack, 'GET /api/v2/data-actions/{id}') - before, 1);
  });

  it('refuses invalid inputs before any invoke (CXONE_INPUT_INVALID, REJECTED, attempts 0)', async () => {
    const before = count(stack, 'POST /api/v2/data-actions/{id}/invoke');
    const outcome = await client().invoke(request({ inputs: { maxResults: 1.5, colour: 'red' } }));
    assert.equal(outcome.outcome, 'REJECTED');
    assert.equal(outcome.attempts, 0);
    assert.equal(outcome.error?.code, 'CXONE_INPUT_INVALID');
    assert.match(
      outcome.error?.message ?? '',
      /inputs\.customerId: required.*inputs\.maxResults: expected an integer.*inputs\.colour: unknown/,
    );
    assert.equal(count(stack, 'POST /api/v2/data-actions/{id}/invoke'), before);
  });

  for (const [name, faults, expected] of [
    ['completed', {}, 'ACCEPTED'],
    ['failed', { asyncFailRate: 1 }, 'FAILED'],
    ['cancelled', { asyncCancelRate: 1 }, 'FAILED'],
  ] as const) {
    it(`async (202): polls to ${name} → ${expected}`, async () => {
      stack.sim.setFaults(faults);
      const outcome = await client().invoke(orderSync());
      assert.equal(outcome.outcome, expected);
      assert.equal(outcome.httpStatus, 202);
      assert.match(outcome.reference ?? '', /^inv-/);
      if (name === 'completed') {
        assert.equal(outcome.outputs?.orderId, 'O-1');
        assert.equal(typeof outcome.outputs?.accepted, 'boolean');
      } else if (name === 'failed') {
        assert.equal(outcome.error?.code, 'CXONE_ACTION_FAILED');
        // CXone's code, never its free text: an action's error message can echo the inputs.
        assert.match(outcome.error?.message ?? '', /failed in CXone: codes 500;/);
        assert.doesNotMatch(outcome.error?.message ?? '', /Simulated data action execution failure/);
      } else {
        assert.equal(outcome.error?.code, 'CXONE_ACTION_CANCELLED');
        assert.match(outcome.error?.message ?? '', /cancelled/);
      }
    });
  }

  it('async (202): gives up after maxPollTimeMs with CXONE_POLL_TIMEOUT (FAILED, invokeId kept)', async () => {
    stack.sim.setFaults({ asyncDelayMs: 60_000 });
    const started = performance.now();
    const outcome = await client({ maxPollTimeMs: 300 }).invoke(orderSync());
    const elapsed = performance.now() - started;
    assert.equal(outcome.outcome, 'FAILED');
    assert.equal(outcome.error?.code, 'CXONE_POLL_TIMEOUT');
    assert.match(outcome.error?.message ?? '', /still (queued|running) after 300 ms.*maxPollTimeMs/);
    assert.match(outcome.reference ?? '', /^inv-/);
    assert.ok(elapsed >= 290 && elapsed < 2_000, `elapsed ${elapsed}`);
  });

  it('404 row: an unknown action is a configuration fault, thrown (never a REJECTED outcome)', async () => {
    await assert.rejects(client().invoke(request({ actionId: 'da-nope' })), (error: unknown) => {
      assert.ok(error instanceof CxoneError);
      assert.equal(error.code, 'CXONE_NOT_FOUND');
      assert.equal(failureClass(error), 'config');
      assert.match(error.message, /check the id in the event or route, and cxone\.paths/);
      return true;
    });
  });

  it('422 row: CXone refusing the body lists the fields (Idempotency-Key reused for another body)', async () => {
    const c = client();
    const req = request();
    assert.equal((await c.invoke(req)).outcome, 'ACCEPTED');
    const outcome = await c.invoke({ ...req, inputs: { customerId: 'SOMEONE_ELSE' } });
    assert.equal(outcome.outcome, 'REJECTED');
    assert.equal(outcome.httpStatus, 422);
    assert.equal(outcome.error?.code, 'CXONE_UNPROCESSABLE');
    assert.match(outcome.error?.message ?? '', /CXone refused these fields: Idempotency-Key;/);
  });

  it('403 row: a client without data-actions:execute is a configuration fault naming the scope, thrown', async () => {
    const readonly = await startStack({ clientId: 'sim-readonly', clientSecret: 'sim-readonly-secret' });
    try {
      await assert.rejects(
        createDataActionClient(readonly.send, OPTIONS).invoke(request()),
        (error: unknown) => {
          assert.ok(error instanceof CxoneError);
          assert.equal(error.code, 'CXONE_FORBIDDEN');
          assert.equal(failureClass(error), 'config');
          assert.match(error.message, /data-actions:execute scope.*admin console/);
          return true;
        },
      );
    } finally {
      await readonly.close();
    }
  });
});

describe('data action client, 504 row', () => {
  // The simulator never answers 504, so a plain server on port 0 plays a gateway that times out.
  it('a sync action over the gateway limit → CXONE_GATEWAY_TIMEOUT suggesting async mode', async () => {
    const server = createServer((req, res) => {
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'da-slow', inputs: [{ name: 'x', type: 'string', required: true }] }));
        return;
      }
      res.writeHead(504, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 504, message: 'Gateway Timeout' }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const { createCxoneHttp } = await import('../../../src/cxone/http-client.ts');
    const http = createCxoneHttp({
      baseUrl: `http://127.0.0.1:${port}`,
      requestTimeoutMs: 1000,
      connections: 2,
    });
    try {
      const client = createDataActionClient((r) => http.send(r), {
        ...OPTIONS,
        retry: { ...FAST_RETRY, maxAttempts: 2 },
      });
      await assert.rejects(
        client.invoke(request({ actionId: 'da-slow', inputs: { x: 'y' } })),
        (error: Error & { code?: string; cause?: unknown }) => {
          assert.equal(error.code, 'CXONE_RETRIES_EXHAUSTED');
          assert.match(error.message, /switch the action to asynchronous execution/);
          assert.equal((error.cause as { code?: string }).code, 'CXONE_GATEWAY_TIMEOUT');
          return true;
        },
      );
    } finally {
      await http.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
