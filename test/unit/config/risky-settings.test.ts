import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { riskySettings } from '../../../src/config/risky-settings.ts';
import { testConfig } from '../../../devkit/config-fixtures.ts';

const routes = [{ name: 'r', journeyId: 'j' }];

describe('risky settings, said at every start and by validate-config and check', () => {
  it('a default config has none', () => {
    assert.deepEqual(riskySettings(testConfig({ routes })), []);
  });

  it('names each protection turned down, by its setting', () => {
    const notes = riskySettings(
      testConfig({
        routes,
        audit: { hashPii: false },
        kafka: {
          brokers: ['b:9092'],
          ssl: { verify: false },
          sasl: {
            mechanism: 'oauthbearer',
            tokenUrl: 'http://idp.internal/token',
            allowInsecureHttp: true,
            clientId: 'c',
            clientSecret: 's',
          },
        },
        registry: { url: 'http://r.internal:8080', username: 'u', password: 'p', allowInsecureHttp: true },
        cxone: {
          baseUrl: 'http://cxone.internal',
          allowInsecureHttp: true,
          auth: {
            clientId: 'i',
            clientSecret: 's',
            tokenUrl: 'http://idp.internal/t',
            allowInsecureHttp: true,
          },
        },
      }),
    );
    assert.deepEqual(
      notes.map((n) => n.split(' ')[0]),
      [
        'audit.hashPii',
        'audit.signingKey',
        'kafka.ssl.verify',
        'cxone.allowInsecureHttp',
        'cxone.auth.allowInsecureHttp',
        'kafka.sasl.allowInsecureHttp',
        'registry.allowInsecureHttp',
      ],
    );
    const plaintext = riskySettings(
      testConfig({
        routes,
        kafka: {
          brokers: ['b:9092'],
          allowPlaintextSasl: true,
          sasl: { mechanism: 'plain', username: 'u', password: 'p' },
        },
      }),
    );
    assert.match(plaintext[0] ?? '', /^kafka\.allowPlaintextSasl is true/);
  });

  it('plain HTTP on loopback (the local simulator) is not a risk worth a warning', () => {
    const notes = riskySettings(
      testConfig({
        routes,
        cxone: {
          baseUrl: 'http://127.0.0.1:8089',
          allowInsecureHttp: true,
          auth: { clientId: 'i', clientSecret: 's' },
        },
      }),
    );
    assert.deepEqual(notes, []);
  });
});
