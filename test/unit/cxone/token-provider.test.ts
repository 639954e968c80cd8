import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAuthorizedSend } from '../../../src/cxone/authorized-http.ts';
import type { CxoneHttp } from '../../../src/cxone/http-client.ts';
import { CxoneError, failureClass } from '../../../src/errors.ts';
import { createManualClock } from '../sim/sim-harness.ts';
import { CONTACT, count, startStack, type CxoneStack } from './cxone-harness.ts';

describe('token provider (OAuth2 client credentials)', () => {
  for (const style of ['basic', 'form', 'access-key', 'password'] as const) {
    it(`gets and caches a token in the ${style} style`, async () => {
      const stack = await startStack({ style });
      try {
        const first = await stack.tokens.getToken();
        const second = await stack.tokens.getToken();
        assert.equal(first, second);
        assert.equal(stack.sim.stats().tokensIssued, 1);
        const response = await stack.send(CONTACT);
        assert.equal(response.status, 200);
      } finally {
        await stack.close();
      }
    });
  }

  it('fetches exactly one token for 200 concurrent requests (single flight)', async () => {
    const stack = await startStack();
    try {
      const responses = await Promise.all(Array.from({ length: 200 }, () => stack.send(CONTACT)));
      assert.equal(responses.length, 200);
      assert.ok(responses.every((r) => r.status === 200));
      assert.equal(stack.sim.stats().tokensIssued, 1);
      assert.equal(count(stack, 'POST /oauth2/token'), 1);
    } finally {
      await stack.close();
    }
  });

  it('refreshes refreshMarginMs before expiry, not earlier', async () => {
    const clock = createManualClock();
    // The simulator issues 3600 s tokens; with a 60 s margin the token is refreshed after 3540 s.
    const stack = await startStack({ now: clock.now, refreshMarginMs: 60_000 });
    try {
      const first = await stack.tokens.getToken();
      clock.advance(3_539_000);
      assert.equal(await stack.tokens.getToken(), first);
      clock.advance(2_000);
      const second = await stack.tokens.getToken();
      assert.notEqual(second, first);
      assert.equal(stack.sim.stats().tokensIssued, 2);
    } finally {
      await stack.close();
    }
  });

  it('after a 401 refreshes once and retries once (token revoked)', async () => {
    const stack = await startStack();
    try {
      await stack.send(CONTACT);
      assert.equal(stack.sim.revokeTokens(), 1);
      const response = await stack.send(CONTACT);
      assert.equal(response.status, 200);
      assert.equal(stack.sim.stats().tokensIssued, 2);
      assert.equal(count(stack, 'GET /api/v1/contacts/{id}', '401'), 1);
      assert.equal(count(stack, 'GET /api/v1/contacts/{id}', '200'), 2);
    } finally {
      await stack.close();
    }
  });

  it('gives a clear auth error when a fresh token is refused too (401 row, second time)', async () => {
    const stack = await startStack();
    try {
      // A real 401 on every API call: the tenant revokes every token just before it is used.
      const revoking: CxoneHttp = {
        breaker: undefined,
        close: () => stack.http.close(),
        send: async (request) => {
          if (request.endpoint !== 'token') stack.sim.revokeTokens();
          return stack.http.send(request);
        },
      };
      const send = createAuthorizedSend(revoking, stack.tokens);
      await assert.rejects(send(CONTACT), (error: unknown) => {
        assert.ok(error instanceof CxoneError);
        assert.equal(error.code, 'CXONE_AUTH_FAILED');
        assert.equal(error.retryable, false);
        assert.match(error.message, /freshly issued token.*check cxone\.auth/);
        return true;
      });
      assert.equal(stack.sim.stats().tokensIssued, 2, 'exactly one refresh');
      assert.equal(count(stack, 'GET /api/v1/contacts/{id}', '401'), 2, 'exactly one retry');
    } finally {
      await stack.close();
    }
  });

  describe('wrong credentials (401 row)', () => {
    let stack: CxoneStack;
    before(async () => {
      stack = await startStack({ clientSecret: 'not-the-secret-xyz' });
    });
    after(() => stack.close());

    it('fails with CXONE_AUTH_FAILED naming the settings to fix, never the secret', async () => {
      await assert.rejects(stack.send(CONTACT), (error: unknown) => {
        assert.ok(error instanceof CxoneError);
        assert.equal(error.code, 'CXONE_AUTH_FAILED');
        assert.equal(error.status, 401);
        assert.match(error.message, /cxone\.auth\.clientId\/clientSecret/);
        assert.doesNotMatch(error.message, /not-the-secret-xyz/);
        assert.doesNotMatch(JSON.stringify(error), /not-the-secret-xyz/);
        return true;
      });
    });
  });

  it('reads a rotated secret again: refused while wrong, accepted once the file is fixed, no restart', async () => {
    let secretOnDisk = 'the-old-wrong-one';
    const stack = await startStack({ clientSecret: 'unused', readClientSecret: () => secretOnDisk });
    try {
      await assert.rejects(stack.send(CONTACT), (error: unknown) => {
        assert.ok(error instanceof CxoneError);
        assert.equal(error.code, 'CXONE_AUTH_FAILED');
        assert.equal(failureClass(error), 'config');
        assert.match(error.message, /read again on every refusal/);
        assert.doesNotMatch(error.message, /the-old-wrong-one/);
        return true;
      });
      secretOnDisk = 'sim-secret';
      assert.equal((await stack.send(CONTACT)).status, 200);
    } finally {
      await stack.close();
    }
  });

  it('a scope the client was not granted is refused at the token endpoint as a configuration fault', async () => {
    const stack = await startStack({
      clientId: 'sim-readonly',
      clientSecret: 'sim-readonly-secret',
      scopes: ['journeys:trigger'],
    });
    try {
      await assert.rejects(stack.send(CONTACT), (error: unknown) => {
        assert.ok(error instanceof CxoneError);
        assert.equal(error.code, 'CXONE_AUTH_FAILED');
        assert.equal(failureClass(error), 'config');
        assert.match(error.message, /refused the scopes asked for: grant them/);
        return true;
      });
    } finally {
      await stack.close();
    }
  });

  it('a 403 fetches a fresh token once: a scope granted after the token was issued takes effect', async () => {
    const stack = await startStack({
      sim: {
        fixtures: {
          clients: [{ clientId: 'grows', clientSecret: 'grows-secret', scopes: ['journeys:trigger'] }],
        },
      },
      clientId: 'grows',
      clientSecret: 'grows-secret',
    });
    try {
      await assert.rejects(stack.send(CONTACT), { code: 'CXONE_FORBIDDEN' });
      const granted = await fetch(`${stack.url}/_sim/clients/grows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ scopes: ['journeys:trigger', 'contacts:read'] }),
      });
      assert.equal(granted.status, 200);
      assert.equal((await stack.send(CONTACT)).status, 200);
    } finally {
      await stack.close();
    }
  });

  for (const style of ['access-key', 'password'] as const) {
    it(`${style}: a wrong access key secret is a configuration fault naming the settings, never the secret`, async () => {
      const stack = await startStack({ style, accessKeySecret: 'not-the-access-secret' });
      try {
        await assert.rejects(stack.send(CONTACT), (error: unknown) => {
          assert.ok(error instanceof CxoneError);
          assert.equal(error.code, 'CXONE_AUTH_FAILED');
          assert.equal(failureClass(error), 'config');
          assert.match(error.message, /accessKeyId\/accessKeySecret/);
          assert.doesNotMatch(error.message, /not-the-access-secret/);
          return true;
        });
      } finally {
        await stack.close();
      }
    });
  }

  it('password: the application must authenticate too', async () => {
    const stack = await startStack({ style: 'password', clientSecret: 'not-the-client-secret' });
    try {
      await assert.rejects(stack.send(CONTACT), { code: 'CXONE_AUTH_FAILED' });
    } finally {
      await stack.close();
    }
  });
});
