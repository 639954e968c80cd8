// Token expiry and revocation: what makes a connector's token refresh path run.
/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are untyped JSON checked by the assertions */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, createManualClock, getToken, startSim } from './sim-harness.ts';
import type { RunningSim } from './sim-harness.ts';

describe('sim token lifecycle', () => {
  const clock = createManualClock();
  let s: RunningSim;
  before(async () => (s = await startSim({ tokenTtlS: 60 }, { now: clock.now })));
  after(() => s.close());

  it('answers 401 without WWW-Authenticate error when no token is sent', async () => {
    const res = await call(s.url, 'GET', '/api/v1/contacts/c-000001');
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="cxone-sim"');
  });

  it('accepts a token until its TTL, then answers 401 invalid_token', async () => {
    const token = await getToken(s.url);
    clock.advance(59_000);
    assert.equal((await call(s.url, 'GET', '/api/v1/contacts/c-000001', { token })).status, 200);
    clock.advance(1_000);
    const res = await call(s.url, 'GET', '/api/v1/contacts/c-000001', { token });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    assert.equal(res.body.error, 'invalid_token');
  });

  it('answers 401 for an unknown token', async () => {
    const res = await call(s.url, 'GET', '/api/v1/contacts/c-000001', { token: 'sim.forged' });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  });

  it('revokes every token issued so far, and new tokens work again', async () => {
    const first = await getToken(s.url);
    const second = await getToken(s.url);
    const revoke = await call(s.url, 'POST', '/_sim/tokens/revoke');
    assert.equal(revoke.status, 200);
    assert.ok(revoke.body.revoked >= 2);
    for (const token of [first, second]) {
      assert.equal((await call(s.url, 'GET', '/api/v1/contacts/c-000001', { token })).status, 401);
    }
    const fresh = await getToken(s.url);
    assert.equal((await call(s.url, 'GET', '/api/v1/contacts/c-000001', { token: fresh })).status, 200);
  });
});
