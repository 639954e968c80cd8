// GET contacts and journeys (seed 000 "Step 3") against the generated default fixtures.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- response bodies are untyped JSON checked by the assertions */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, getToken, startSim } from './sim-harness.ts';
import type { RunningSim } from './sim-harness.ts';

describe('sim contacts and journeys', () => {
  let s: RunningSim;
  let token: string;
  before(async () => {
    s = await startSim({ contacts: 100 });
    token = await getToken(s.url);
  });
  after(() => s.close());

  const get = (path: string) => call(s.url, 'GET', path, { token });

  it('returns generated contacts with their suppression status', async () => {
    const ok = await get('/api/v1/contacts/c-000001');
    assert.equal(ok.status, 200);
    assert.deepEqual(
      { id: ok.body.id, status: ok.body.suppressionStatus, email: ok.body.email },
      { id: 'c-000001', status: 'SUBSCRIBED', email: 'c-000001@example.test' },
    );
    assert.equal((await get('/api/v1/contacts/c-000020')).body.suppressionStatus, 'UNSUBSCRIBED');
    assert.equal((await get('/api/v1/contacts/c-000040')).body.suppressionStatus, 'SUPPRESSED');
  });

  it('404s contacts that do not exist', async () => {
    for (const id of ['missing-c-000001', 'c-000101', 'c-000000', 'c-1', 'nobody']) {
      const res = await get(`/api/v1/contacts/${id}`);
      assert.equal(res.status, 404, id);
      assert.equal(res.body.field, 'contactId');
    }
  });

  it('returns journeys with their state and 404s unknown ones', async () => {
    assert.deepEqual((await get('/api/v1/journeys/j-welcome')).body, {
      id: 'j-welcome',
      name: 'Welcome series',
      state: 'ACTIVE',
    });
    assert.equal((await get('/api/v1/journeys/j-paused')).body.state, 'PAUSED');
    assert.equal((await get('/api/v1/journeys/j-draft')).body.state, 'DRAFT');
    assert.equal((await get('/api/v1/journeys/j-nope')).status, 404);
  });

  it('answers 404 for unknown routes and 405 for wrong methods', async () => {
    assert.equal((await get('/api/v1/nothing')).status, 404);
    const res = await call(s.url, 'DELETE', '/api/v1/journeys/j-welcome', { token });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET');
  });
});
