import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyResponse, parseRetryAfterMs } from '../../../src/cxone/classify-response.ts';

const ctx = { endpoint: 'trigger', method: 'POST', template: '/api/v1/journeys/{journeyId}/trigger' };
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
      const error = classify(status, {}, '{"error":"detail_code","message":"ada@example.com is not valid"}');
      assert.ok(error);
      assert.equal(error.code, code);
      assert.equal(error.retryable, retryable);
      assert.equal(error.status, status);
      assert.match(error.message, message);
      // The template and CXone's code, never the body's free text (it can echo a person's fields).
      assert.match(error.message, /\[POST \/api\/v1\/journeys\/\{journeyId\}\/trigger → \d+: detail_code\]$/);
      assert.doesNotMatch(error.message, /ada@example\.com/);
      assert.deepEqual(error.cxoneCodes, ['detail_code']);
    });
  }

  it('422: names the refused fields and their codes, never their messages', () => {
    const body = JSON.stringify({
      errors: [
        { code: 'INVALID_FORMAT', field: 'inputs.email', message: 'ada@example.com is not an email' },
        { code: 422, field: 'inputs.phone', message: '+44 20 7946 0000 too short' },
        { code: 'free text with spaces', field: 'a field with @ada', message: 'x' },
      ],
    });
    const error = classify(422, {}, body);
    assert.match(error?.message ?? '', /CXone refused these fields: inputs\.email, inputs\.phone;/);
    assert.match(error?.message ?? '', /→ 422: INVALID_FORMAT, 422\]$/);
    assert.doesNotMatch(error?.message ?? '', /ada|7946|free text/);
  });

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
