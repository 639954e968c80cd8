// POST /api/v1/journeys/{id}/trigger: the 400s of seed 000 ("Error: 400"), 404s, and the
// statuses chosen where the seed is silent (journey not ACTIVE and contact not eligible: 422).
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument -- response bodies are untyped JSON checked by the assertions */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, getToken, startSim, triggerBody } from './sim-harness.ts';
import type { RunningSim } from './sim-harness.ts';

describe('sim journey trigger validation', () => {
  let s: RunningSim;
  let token: string;
  before(async () => {
    s = await startSim();
    token = await getToken(s.url);
  });
  after(() => s.close());

  const trigger = (journey: string, body: unknown, rawBody?: string) =>
    call(s.url, 'POST', `/api/v1/journeys/${journey}/trigger`, {
      token,
      ...(rawBody !== undefined ? { rawBody } : { body }),
    });

  const attributes = { email: 'a@example.test', external_id: 'x1' };
  const cases: [string, Record<string, unknown>, string][] = [
    ['contactId', triggerBody({ contactId: undefined }), 'contactId'],
    ['event', triggerBody({ event: '' }), 'event'],
    ['deduplicationId', triggerBody({ deduplicationId: undefined }), 'deduplicationId'],
    ['attributes', triggerBody({ attributes: undefined }), 'attributes'],
    ['email', triggerBody({ attributes: { external_id: 'x1' } }), 'attributes.email'],
    ['external_id', triggerBody({ attributes: { email: 'a@example.test' } }), 'attributes.external_id'],
    ['timestamp', triggerBody({ timestamp: 'yesterday', attributes }), 'timestamp'],
  ];
  for (const [name, body, field] of cases) {
    it(`400s a missing or invalid ${name}`, async () => {
      const res = await trigger('j-welcome', body);
      assert.equal(res.status, 400);
      assert.equal(res.body.field, field);
      assert.equal(typeof res.body.message, 'string');
    });
  }

  it('400s invalid JSON and bodies over 102400 bytes', async () => {
    const bad = await trigger('j-welcome', undefined, '{"contactId":');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error, 'invalid_json');
    const big = await trigger(
      'j-welcome',
      triggerBody({ attributes: { ...attributes, blob: 'x'.repeat(102_400) } }),
    );
    assert.equal(big.status, 400);
    assert.equal(big.body.error, 'payload_too_large');
  });

  it('404s an unknown journey or contact', async () => {
    const journey = await trigger('j-nope', triggerBody());
    assert.equal(journey.status, 404);
    assert.equal(journey.body.field, 'journeyId');
    const contact = await trigger('j-welcome', triggerBody({ contactId: 'missing-7' }));
    assert.equal(contact.status, 404);
    assert.equal(contact.body.field, 'contactId');
  });

  it('422s a journey that is not ACTIVE and a contact that is not eligible', async () => {
    const paused = await trigger('j-paused', triggerBody());
    assert.equal(paused.status, 422);
    assert.equal(paused.body.error, 'journey_not_active');
    const suppressed = await trigger('j-welcome', triggerBody({ contactId: 'c-000040' }));
    assert.equal(suppressed.status, 422);
    assert.equal(suppressed.body.error, 'contact_not_eligible');
  });

  it('accepts a valid trigger with 202 and records one effect', async () => {
    const res = await trigger('j-welcome', triggerBody({ deduplicationId: 'ok-1' }));
    assert.equal(res.status, 202);
    assert.equal(res.body.status, 'ACCEPTED');
    assert.equal(res.body.journeyId, 'j-welcome');
    assert.equal(res.body.contactId, 'c-000001');
    assert.equal(res.body.deduplicationId, 'ok-1');
    assert.match(res.body.triggerId, /^trg-/);
    const stats = s.sim.stats();
    assert.equal(stats.effects.total, 1);
    assert.equal(stats.triggersAccepted, 1);
    assert.deepEqual(stats.effects.byKey, { 'ok-1': 1 });
  });
});
