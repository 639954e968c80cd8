import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { saslOptions } from '../../../src/kafka/kafka-client.ts';

describe('Kafka SASL token failures', () => {
  it('each failed OAUTHBEARER fetch is told to the hook (the metric), and still fails the fetch', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const told: string[] = [];
    try {
      const options = saslOptions(
        {
          mechanism: 'oauthbearer',
          tokenUrl: `http://127.0.0.1:${port}/token`,
          clientId: 'c',
          clientSecret: 'not-it',
          refreshMarginMs: 1000,
        },
        (mechanism) => told.push(mechanism),
      );
      assert.ok(options.mechanism === 'oauthbearer');
      await assert.rejects(options.oauthBearerProvider(), /refused the token request: HTTP 401/);
      await assert.rejects(options.oauthBearerProvider());
      assert.deepEqual(told, ['oauthbearer', 'oauthbearer']);
    } finally {
      server.close();
    }
  });
});
