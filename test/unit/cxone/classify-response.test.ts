import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyResponse, parseRetryAfterMs } from '../../../src/cxone/classify-response.ts';

const ctx = { endpoint: 'trigger', method: 'POST', path: '/api/v1/journeys/j/trigger' };
const classify = (status: number, headers: Record<string, string> = {}, bodyText = '') =>
  classifyResponse({ status, headers, bodyText }, ctx, Date.parse('2026-11-23T12:00:00Z'));

describe('classifyResponse', () => {
  it('passes 2xx through', () => {
    assert.equal(classify(200), undefined);
    assert.equal(classify(202), undefined);
  });

  const rows: [number, string, boolean, RegExp][] = [
    [400, 'CXONE_BAD_REQUEST', false, /route mapping.*100 KB/],
    [401, 'CXONE_AUTH_FAILED', false, /clientId\/clientSecret/],
    [403, 'CXONE_FORBIDDEN', false, /scope/],
    [404, 'CXONE_NOT_FOUND', false, /cxone\.paths/],
    [408, 'CXONE_TIMEOUT', true, /retried/],
    [409, 'CXONE_CONFLICT', true, /same Idempotency-Key/],
    [422, 'CXONE_UNPROCESSABLE', false, /input validation/],
    [429, 'CXONE_RATE_LIMITED', true, /Retry-After/],
    [500, 'CXONE_SERVER_ERROR', true, /server error/],
    [503, 'CXONE_SERVER_ERROR', true, /server error/],
    [504, 'CXONE_GATEWAY_TIMEOUT', true, /async/],
    [418, 'CXONE_BAD_REQUEST', false, /HTTP 418/],
  ];
  for (const [status, code, retryable, message] of rows) {
    it(`maps ${status} to ${code} (retryable: ${retryable}) with an actionable message`, () => {
      const error = classify(status, {}, '{"error":"detail from cxone"}');
      assert.ok(error);
      assert.equal(error.code, code);
      assert.equal(error.retryable, retryable);
      assert.equal(error.status, status);
      assert.match(error.message, message);
      assert.match(
        error.message,
        /POST \/api\/v1\/journeys\/j\/trigger → \d+: \{"error":"detail from cxone"\}/,
      );
    });
  }

  it('carries Retry-After on retryable errors', () => {
    assert.equal(classify(429, { 'retry-after': '3' })?.retryAfterMs, 3000);
    assert.equal(classify(503, { 'retry-after': 'Mon, 23 Nov 2026 12:00:05 GMT' })?.retryAfterMs, 5000);
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-11-23T12:00:00Z');
  it('reads delta-seconds and HTTP dates, and ignores garbage', () => {
    assert.equal(parseRetryAfterMs('0', now), 0);
    assert.equal(parseRetryAfterMs('120', now), 120_000);
    assert.equal(parseRetryAfterMs('Mon, 23 Nov 2026 12:01:00 GMT', now), 60_000);
    assert.equal(parseRetryAfterMs('Mon, 23 Nov 2026 11:00:00 GMT', now), 0);
    assert.equal(parseRetryAfterMs('soon', now), undefined);
    assert.equal(parseRetryAfterMs(undefined, now), undefined);
    assert.equal(parseRetryAfterMs(['7'], now), 7000);
  });
});
