import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { compileConfig } from '../../../src/config/compile-config.ts';
import { createCxoneClients } from '../../../src/cxone/cxone-clients.ts';
import type { JourneyTriggerRequest } from '../../../src/mapping/journey-trigger-request.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { testConfig } from '../../../devkit/config-fixtures.ts';
import { startSim, triggerBody } from '../sim/sim-harness.ts';

describe('CXone clients built from config', () => {
  it('asks a token endpoint on another host (cxone.auth.tokenUrl) with the access-key flow, then calls the API', async () => {
    const sim = await startSim();
    try {
      // Another origin for the same server: the token goes over a connection of its own.
      const tokenUrl = `${sim.url.replace('127.0.0.1', 'localhost')}/authentication/v1/token/access-key`;
      const options = compileConfig(
        testConfig({
          cxone: {
            baseUrl: sim.url,
            allowInsecureHttp: true,
            auth: {
              style: 'access-key',
              tokenUrl,
              allowInsecureHttp: true,
              accessKeyId: 'sim-access-key',
              accessKeySecret: 'sim-access-secret',
            },
          },
          routes: [{ name: 'welcome', journeyId: 'j-welcome' }],
        }),
      ).cxone;
      const clients = createCxoneClients(options, {
        metrics: createMetrics(new Registry(), false),
        now: Date.now,
      });
      const body = triggerBody({ contactId: 'c-000001', deduplicationId: 'tokenurl-1' });
      const request = {
        kind: 'journey-trigger',
        route: 'welcome',
        journeyId: 'j-welcome',
        contactId: 'c-000001',
        eventId: 'e-1',
        idempotencyKey: 'tokenurl-1',
        body,
        serializedBody: JSON.stringify(body),
      } as unknown as JourneyTriggerRequest;
      const outcome = await clients.journeys.trigger(request);
      assert.equal(outcome.outcome, 'ACCEPTED');
      const requests = sim.sim.stats().requests;
      assert.equal(requests['POST /authentication/v1/token/access-key']?.['200'], 1);
      await clients.close();
    } finally {
      await sim.close();
    }
  });

  it('defaults the token path by style, and validates the credentials each style needs', () => {
    const auth = (extra: Record<string, unknown>) =>
      compileConfig(
        testConfig({
          cxone: { baseUrl: 'https://t.example', auth: extra },
          routes: [{ name: 'welcome', journeyId: 'j' }],
        }),
      ).cxone.auth.tokenPath;
    assert.equal(auth({ clientId: 'i', clientSecret: 's' }), '/api/v2/oauth/token');
    assert.equal(
      auth({ style: 'access-key', accessKeyId: 'k', accessKeySecret: 's' }),
      '/authentication/v1/token/access-key',
    );
    assert.equal(
      auth({ style: 'password', clientId: 'i', clientSecret: 's', accessKeyId: 'k', accessKeySecret: 's' }),
      '/auth/token',
    );
    assert.throws(
      () =>
        testConfig({
          cxone: {
            baseUrl: 'https://t.example',
            auth: { style: 'password', clientId: 'i', clientSecret: 's' },
          },
          routes: [{ name: 'w', journeyId: 'j' }],
        }),
      /cxone\.auth\.accessKeyId: required for style password[\s\S]*cxone\.auth\.accessKeySecret: required for style password: set it as "\$\{env:NAME\}"/,
    );
  });
});
