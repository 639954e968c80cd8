import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createJourneyTriggerClient } from '../../../src/cxone/journey-trigger-client.ts';
import { CxoneError, failureClass } from '../../../src/errors.ts';
import type { JourneyTriggerRequest } from '../../../src/mapping/journey-trigger-request.ts';
import { createManualClock, triggerBody } from '../sim/sim-harness.ts';
import { count, FAST_RETRY, startStack, type CxoneStack } from './cxone-harness.ts';

const PATHS = {
  contact: '/api/v1/contacts/{contactId}',
  journey: '/api/v1/journeys/{journeyId}',
  trigger: '/api/v1/journeys/{journeyId}/trigger',
};

let seq = 0;
function request(contactId = 'c-000001', journeyId = 'j-welcome', body: Record<string, unknown> = {}) {
  const key = `key-${++seq}`;
  const full = triggerBody({ contactId, deduplicationId: key, ...body });
  return {
    kind: 'journey-trigger',
    route: 'r',
    journeyId,
    contactId,
    eventId: `e-${seq}`,
    idempotencyKey: key,
    body: full,
    serializedBody: JSON.stringify(full),
  } as unknown as JourneyTriggerRequest;
}

describe('journey trigger client', () => {
  let stack: CxoneStack;
  const clock = createManualClock();
  const client = () =>
    createJourneyTriggerClient(stack.send, {
      paths: PATHS,
      retry: FAST_RETRY,
      journeyCacheTtlMs: 60_000,
      contactCacheTtlMs: 5_000,
      now: clock.now,
    });
  before(async () => {
    stack = await startStack();
  });
  beforeEach(() => {
    stack.sim.setFaults({ rate5xx: 0, rate429: 0 });
  });
  after(() => stack.close());

  it('accepted: triggers an ACTIVE journey for a SUBSCRIBED contact, sending the exact body and key', async () => {
    const req = request();
    const outcome = await client().trigger(req);
    assert.equal(outcome.outcome, 'ACCEPTED');
    assert.equal(outcome.attempts, 1);
    assert.equal(outcome.httpStatus, 202);
    assert.match(outcome.reference ?? '', /^trg-/);
    assert.equal(outcome.sentBody, req.serializedBody);
    assert.equal(outcome.replayed, undefined);
    const effect = (await (await fetch(`${stack.url}/_sim/effects/${req.idempotencyKey}`)).json()) as {
      count: number;
    };
    assert.equal(effect.count, 1);
  });

  it('duplicate: the same Idempotency-Key again is absorbed by CXone (one effect, replayed response)', async () => {
    const req = request();
    const c = client();
    const first = await c.trigger(req);
    const second = await c.trigger(req);
    assert.equal(second.outcome, 'ACCEPTED');
    assert.equal(second.replayed, true);
    assert.equal(second.reference, first.reference);
    assert.deepEqual(stack.sim.stats().effects.duplicates, {});
  });

  it('contact not found: 404 on the contact → CONTACT_NOT_FOUND, no trigger sent', async () => {
    const before = count(stack, 'POST /api/v1/journeys/{id}/trigger');
    const outcome = await client().trigger(request('missing-1'));
    assert.equal(outcome.outcome, 'CONTACT_NOT_FOUND');
    assert.equal(outcome.attempts, 0);
    assert.equal(count(stack, 'POST /api/v1/journeys/{id}/trigger'), before);
  });

  it('contact suppressed: suppressionStatus other than SUBSCRIBED → CONTACT_SUPPRESSED', async () => {
    const unsub = await client().trigger(request('c-000020'));
    assert.equal(unsub.outcome, 'CONTACT_SUPPRESSED');
    assert.match(unsub.detail ?? '', /UNSUBSCRIBED/);
    const suppressed = await client().trigger(request('c-000040'));
    assert.equal(suppressed.outcome, 'CONTACT_SUPPRESSED');
    assert.match(suppressed.detail ?? '', /SUPPRESSED/);
  });

  it('journey inactive: a PAUSED journey → JOURNEY_INACTIVE, no trigger sent', async () => {
    const outcome = await client().trigger(request('c-000001', 'j-paused'));
    assert.equal(outcome.outcome, 'JOURNEY_INACTIVE');
    assert.match(outcome.detail ?? '', /j-paused is PAUSED/);
    assert.equal(outcome.attempts, 0);
  });

  it('rejected (400 row): a malformed body → REJECTED, a message naming the mapping and the template, never the body or the id', async () => {
    const outcome = await client().trigger(
      request('c-000001', 'j-welcome', { attributes: { external_id: 'x' } }),
    );
    assert.equal(outcome.outcome, 'REJECTED');
    assert.equal(outcome.httpStatus, 400);
    assert.equal(outcome.error?.code, 'CXONE_BAD_REQUEST');
    assert.match(outcome.error?.message ?? '', /route mapping/);
    assert.match(outcome.error?.message ?? '', /POST \/api\/v1\/journeys\/\{journeyId\}\/trigger → 400/);
    assert.doesNotMatch(outcome.error?.message ?? '', /c-000001|j-welcome|attributes\.email/);
    assert.equal('responseBody' in (outcome.error ?? {}), false);
  });

  it('rejected (404 row): an unknown journey is a permanent CXONE_NOT_FOUND naming cxone.paths', async () => {
    await assert.rejects(
      client().trigger(request('c-000001', 'j-nope')),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'CXONE_NOT_FOUND');
        assert.match(error.message, /cxone\.paths/);
        return true;
      },
    );
  });

  it('403 row: a client without journeys:trigger is a configuration fault, thrown, never REJECTED', async () => {
    const readonly = await startStack({ clientId: 'sim-readonly', clientSecret: 'sim-readonly-secret' });
    try {
      const c = createJourneyTriggerClient(readonly.send, {
        paths: PATHS,
        retry: FAST_RETRY,
        journeyCacheTtlMs: 60_000,
        contactCacheTtlMs: 0,
      });
      await assert.rejects(c.trigger(request('c-000001')), (error: unknown) => {
        assert.ok(error instanceof CxoneError);
        assert.equal(error.code, 'CXONE_FORBIDDEN');
        assert.equal(failureClass(error), 'config');
        assert.match(error.message, /journeys:trigger scope/);
        return true;
      });
    } finally {
      await readonly.close();
    }
  });

  it('failed: a CXone outage exhausts retries with a retryable error (the pipeline pauses, no DLQ)', async () => {
    const c = client();
    await c.trigger(request()); // warm the caches so the outage hits the trigger itself
    stack.sim.setFaults({ rate5xx: 1 });
    await assert.rejects(c.trigger(request()), (error: Error & { code?: string; retryable?: boolean }) => {
      assert.equal(error.code, 'CXONE_RETRIES_EXHAUSTED');
      assert.equal(error.retryable, true);
      return true;
    });
  });

  it('caches journey state and contact eligibility for their TTLs', async () => {
    const c = client();
    const contacts = () => count(stack, 'GET /api/v1/contacts/{id}');
    const journeys = () => count(stack, 'GET /api/v1/journeys/{id}');
    const [c0, j0] = [contacts(), journeys()];
    await c.trigger(request('c-000003', 'j-winback'));
    await c.trigger(request('c-000003', 'j-winback'));
    assert.equal(contacts() - c0, 1);
    assert.equal(journeys() - j0, 1);
    clock.advance(5_001);
    await c.trigger(request('c-000003', 'j-winback'));
    assert.equal(contacts() - c0, 2, 'contact re-checked after its 5 s TTL');
    assert.equal(journeys() - j0, 1, 'journey still cached (60 s TTL)');
  });
});
