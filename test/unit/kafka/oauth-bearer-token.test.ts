import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { ConnectorError } from '../../../src/errors.ts';
import { createOAuthBearerProvider } from '../../../src/kafka/oauth-bearer-token.ts';

describe('OAUTHBEARER token from an OIDC client-credentials endpoint', () => {
  let server: Server;
  let url: string;
  let asked: { authorization?: string; body: string }[];
  let answer: { status: number; body: object };

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        asked.push({
          ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
          body,
        });
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/token`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    asked = [];
    answer = { status: 200, body: { access_token: 'jwt-1', expires_in: 300 } };
  });

  it('asks with HTTP Basic, grant_type and scope; caches until the refresh margin, then asks again', async () => {
    let now = 1_000_000;
    const provider = createOAuthBearerProvider(
      { tokenUrl: url, clientId: 'app', clientSecret: 's3cr:et', scope: 'kafka', refreshMarginMs: 60_000 },
      { now: () => now },
    );
    assert.deepEqual(await provider(), { value: 'jwt-1' });
    assert.equal(asked[0]?.authorization, `Basic ${Buffer.from('app:s3cr%3Aet').toString('base64')}`);
    assert.equal(asked[0]?.body, 'grant_type=client_credentials&scope=kafka');
    now += 239_000;
    await provider();
    assert.equal(asked.length, 1, 'cached inside the margin');
    answer.body = { access_token: 'jwt-2', expires_in: 300 };
    now += 2_000;
    assert.deepEqual(await provider(), { value: 'jwt-2' });
    assert.equal(asked.length, 2);
  });

  it('one request for many connections authenticating at once', async () => {
    const provider = createOAuthBearerProvider({
      tokenUrl: url,
      clientId: 'a',
      clientSecret: 'b',
      refreshMarginMs: 0,
    });
    await Promise.all([provider(), provider(), provider()]);
    assert.equal(asked.length, 1);
  });

  it('reads a mounted secret again at each token request', async () => {
    let secret = 'first';
    let now = 0;
    const provider = createOAuthBearerProvider(
      {
        tokenUrl: url,
        clientId: 'a',
        clientSecret: 'first',
        refreshMarginMs: 0,
        readClientSecret: () => secret,
      },
      { now: () => now },
    );
    await provider();
    secret = 'rotated';
    now = 301_000;
    await provider();
    assert.equal(asked[1]?.authorization, `Basic ${Buffer.from('a:rotated').toString('base64')}`);
  });

  it('a refusal is KAFKA_AUTH_FAILED with the status and the OAuth error, never the secret', async () => {
    answer = { status: 401, body: { error: 'invalid_client' } };
    const provider = createOAuthBearerProvider({
      tokenUrl: url,
      clientId: 'a',
      clientSecret: 'hunter2-secret',
      refreshMarginMs: 0,
    });
    await assert.rejects(provider(), (error: ConnectorError) => {
      assert.equal(error.code, 'KAFKA_AUTH_FAILED');
      assert.equal(error.retryable, false);
      assert.match(
        error.message,
        /HTTP 401 \(invalid_client\); check kafka.sasl.clientId, clientSecret and scope/,
      );
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
  });
});
