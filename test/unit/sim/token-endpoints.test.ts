// Both token styles of the seeds: /api/v2/oauth/token with HTTP Basic (seed 000) and
// /oauth2/token with form credentials and scope (seed 002).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basicAuth, FORM, startSim } from './sim-harness.ts';
import type { RunningSim } from './sim-harness.ts';

describe('sim token endpoints', () => {
  let s: RunningSim;
  before(async () => (s = await startSim({ tokenTtlS: 120 })));
  after(() => s.close());

  const post = (path: string, body: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${s.url}${path}`, { method: 'POST', headers: { ...FORM, ...headers }, body });

  it('issues a token with HTTP Basic on /api/v2/oauth/token', async () => {
    const res = await post('/api/v2/oauth/token', 'grant_type=client_credentials', {
      authorization: basicAuth('sim-client', 'sim-secret'),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 120);
    assert.equal(body.scope, 'journeys:trigger contacts:read data-actions:read data-actions:execute');
    assert.match(String(body.access_token), /^sim\./);
  });

  it('issues a narrowed token with form credentials on /oauth2/token', async () => {
    const form =
      'grant_type=client_credentials&client_id=sim-client&client_secret=sim-secret&scope=data-actions:read+data-actions:execute';
    const res = await post('/oauth2/token', form);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { scope: string }).scope, 'data-actions:read data-actions:execute');
  });

  it('rejects wrong credentials with 401 invalid_client in both styles', async () => {
    const basic = await post('/api/v2/oauth/token', 'grant_type=client_credentials', {
      authorization: basicAuth('sim-client', 'nope'),
    });
    assert.equal(basic.status, 401);
    assert.equal(((await basic.json()) as { error: string }).error, 'invalid_client');
    const form = await post(
      '/oauth2/token',
      'grant_type=client_credentials&client_id=who&client_secret=sim-secret',
    );
    assert.equal(form.status, 401);
    assert.equal(((await form.json()) as { error: string }).error, 'invalid_client');
  });

  it('rejects a scope the client does not have, other grant types, and a wrong access key', async () => {
    const scope = await post(
      '/oauth2/token',
      'grant_type=client_credentials&client_id=sim-readonly&client_secret=sim-readonly-secret&scope=journeys:trigger',
    );
    assert.equal(scope.status, 400);
    assert.equal(((await scope.json()) as { error: string }).error, 'invalid_scope');
    const grant = await post(
      '/oauth2/token',
      'grant_type=authorization_code&client_id=sim-client&client_secret=sim-secret',
    );
    assert.equal(grant.status, 400);
    assert.equal(((await grant.json()) as { error: string }).error, 'unsupported_grant_type');
    // The password grant (CXone's back-end application flow) needs a valid access key as username/password.
    const password = await post(
      '/oauth2/token',
      'grant_type=password&client_id=sim-client&client_secret=sim-secret&username=sim-access-key&password=wrong',
    );
    assert.equal(password.status, 400);
    assert.equal(((await password.json()) as { error: string }).error, 'invalid_grant');
    // (The granted case is the token provider's test, against the same simulator.)
  });

  it('requires a form body', async () => {
    const res = await fetch(`${s.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_request');
  });

  it('counts issued tokens', () => {
    assert.equal(s.sim.stats().tokensIssued, 2);
  });
});
