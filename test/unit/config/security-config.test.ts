/** kafka.ssl, kafka.sasl and the registry's TLS and auth: what is accepted, refused, and compiled. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compileConfig } from '../../../src/config/compile-config.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { configIssues, MINIMAL_CONFIG, testConfig } from '../../../devkit/config-fixtures.ts';

const routes = [{ name: 'welcome', journeyId: 'j-1' }];
const kafka = (extra: object) => ({
  ...MINIMAL_CONFIG,
  routes,
  kafka: { ...MINIMAL_CONFIG.kafka, ...extra },
});

describe('kafka.ssl and kafka.sasl', () => {
  it('each mechanism asks for its own fields, secrets as references', () => {
    const ssl = {};
    assert.deepEqual(configIssues(kafka({ ssl, sasl: { mechanism: 'scram-sha-512', username: 'u' } })), [
      'kafka.sasl.password: required for mechanism scram-sha-512: set it as "${env:NAME}" or "${file:/path}" so it stays out of the file',
    ]);
    assert.deepEqual(
      configIssues(kafka({ ssl, sasl: { mechanism: 'oauthbearer', clientId: 'c' } })).map(
        (i) => i.split(':')[0],
      ),
      ['kafka.sasl.tokenUrl', 'kafka.sasl.clientSecret'],
    );
    assert.deepEqual(configIssues(kafka({ ssl, sasl: { mechanism: 'aws-msk-iam' } })), [
      'kafka.sasl.region: required for mechanism aws-msk-iam',
    ]);
    assert.deepEqual(
      configIssues(kafka({ ssl, sasl: { mechanism: 'aws-msk-iam', region: 'eu-west-1' } })),
      [],
    );
    assert.match(
      configIssues(kafka({ sasl: { mechanism: 'gssapi', username: 'u', password: 'p' } }))[0] ?? '',
      /^kafka.sasl.mechanism: /,
    );
  });

  it('refuses credentials that would travel in clear, each unless its own setting allows it', () => {
    const scram = { mechanism: 'scram-sha-512', username: 'u', password: 'p' };
    for (const ssl of [undefined, { enabled: false }]) {
      const found = configIssues(kafka({ sasl: scram, ...(ssl ? { ssl } : {}) }));
      assert.equal(found.length, 1);
      assert.match(
        found[0] ?? '',
        /^kafka\.sasl: SASL scram-sha-512 without kafka\.ssl .*kafka\.allowPlaintextSasl: true/,
      );
    }
    assert.deepEqual(configIssues(kafka({ sasl: scram, allowPlaintextSasl: true })), []);
    const oauth = {
      mechanism: 'oauthbearer',
      tokenUrl: 'http://idp.local/token',
      clientId: 'c',
      clientSecret: 's',
    };
    assert.match(
      configIssues(kafka({ ssl: {}, sasl: oauth }))[0] ?? '',
      /^kafka\.sasl\.tokenUrl: .*must be https.*kafka\.sasl\.allowInsecureHttp: true/,
    );
    assert.deepEqual(configIssues(kafka({ ssl: {}, sasl: { ...oauth, allowInsecureHttp: true } })), []);
    const registry = (extra: object) => ({
      ...MINIMAL_CONFIG,
      routes,
      registry: { url: 'http://r:8080', ...extra },
    });
    assert.deepEqual(configIssues(registry({})), [], 'a registry without credentials may be plain HTTP');
    for (const auth of [{ username: 'u', password: 'p' }, { bearerToken: 't' }]) {
      assert.match(
        configIssues(registry(auth))[0] ?? '',
        /^registry\.url: .*https.*registry\.allowInsecureHttp: true/,
      );
      assert.deepEqual(configIssues(registry({ ...auth, allowInsecureHttp: true })), []);
    }
    const cxone = (auth: object) => ({
      ...MINIMAL_CONFIG,
      routes,
      cxone: {
        ...MINIMAL_CONFIG.cxone,
        auth: { ...MINIMAL_CONFIG.cxone.auth, tokenUrl: 'http://idp/token', ...auth },
      },
    });
    assert.match(
      configIssues(cxone({}))[0] ?? '',
      /^cxone\.auth\.tokenUrl: .*https.*cxone\.auth\.allowInsecureHttp: true/,
    );
    assert.deepEqual(configIssues(cxone({ allowInsecureHttp: true })), []);
  });

  it('a client certificate needs its key', () => {
    assert.deepEqual(configIssues(kafka({ ssl: { cert: 'PEM' } })), [
      'kafka.ssl.key: cert and key go together (mutual TLS needs both)',
    ]);
  });

  it('compiles to TLS with verification on, and SASL as kafkajs takes it', () => {
    const options = compileConfig(
      testConfig({
        routes,
        kafka: {
          brokers: ['b:9093'],
          ssl: { ca: 'CA PEM', servername: 'kafka.internal' },
          sasl: { mechanism: 'scram-sha-256', username: 'svc', password: 'pw' },
        },
      }),
    );
    assert.deepEqual(options.kafka.tls, {
      ca: 'CA PEM',
      cert: undefined,
      key: undefined,
      keyPassword: undefined,
      servername: 'kafka.internal',
      verify: true,
    });
    assert.deepEqual(options.kafka.sasl, { mechanism: 'scram-sha-256', username: 'svc', password: 'pw' });
    assert.equal(
      compileConfig(testConfig({ routes, kafka: { brokers: ['b:9092'], ssl: { enabled: false } } })).kafka
        .tls,
      undefined,
    );
    assert.equal(compileConfig(testConfig({ routes })).kafka.tls, undefined, 'no ssl section: plaintext');
  });

  it('environment overrides reach the sections as strings and booleans', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sec-config-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(
      file,
      `kafka: { brokers: ['b:9093'] }\nregistry: { url: 'https://r.example' }\ncxone: { baseUrl: 'https://t.example', auth: { clientId: i, clientSecret: s } }\nroutes: [{ name: welcome, journeyId: j-1 }]\naudit: { hashPii: false }\n`,
    );
    const { config } = loadConfig(file, {
      CXONE_CONNECTOR__KAFKA__SSL__ENABLED: 'true',
      CXONE_CONNECTOR__KAFKA__SASL__MECHANISM: 'plain',
      CXONE_CONNECTOR__KAFKA__SASL__USERNAME: '00123',
      CXONE_CONNECTOR__KAFKA__SASL__PASSWORD: '[p#w:1]',
      CXONE_CONNECTOR__REGISTRY__AUTO_REGISTER: 'false',
    });
    assert.equal(config.kafka.ssl?.enabled, true);
    assert.deepEqual(config.kafka.sasl && [config.kafka.sasl.username, config.kafka.sasl.password], [
      '00123',
      '[p#w:1]',
    ]);
    assert.equal(config.registry.autoRegister, false);
  });

  it('an OAUTHBEARER client secret from ${file:} is read again at each token request', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sec-config-'));
    const secretFile = join(dir, 'secret');
    writeFileSync(secretFile, 'first\n');
    const file = join(dir, 'c.yaml');
    writeFileSync(
      file,
      `kafka:\n  brokers: ['b:9093']\n  ssl: {}\n  sasl: { mechanism: oauthbearer, tokenUrl: 'https://idp.example/token', clientId: c, clientSecret: '\${file:${secretFile}}' }\nregistry: { url: 'https://r.example' }\ncxone: { baseUrl: 'https://t.example', auth: { clientId: i, clientSecret: s } }\nroutes: [{ name: welcome, journeyId: j-1 }]\naudit: { hashPii: false }\n`,
    );
    const { config, secretFiles } = loadConfig(file, {});
    const sasl = compileConfig(config, secretFiles).kafka.sasl;
    assert.ok(sasl?.mechanism === 'oauthbearer');
    assert.equal(sasl.clientSecret, 'first');
    writeFileSync(secretFile, 'rotated\n');
    assert.equal(sasl.readClientSecret?.(), 'rotated');
  });
});

describe('registry TLS and auth', () => {
  const registry = (extra: object) => ({
    ...MINIMAL_CONFIG,
    routes,
    registry: { ...MINIMAL_CONFIG.registry, ...extra },
  });

  it('basic auth needs both halves; basic and bearer are exclusive', () => {
    assert.deepEqual(configIssues(registry({ url: 'https://r.example', username: 'key' })), [
      'registry.password: username and password go together',
    ]);
    assert.deepEqual(
      configIssues(registry({ url: 'https://r.example', username: 'k', password: 'p', bearerToken: 't' })),
      ['registry.bearerToken: use basic auth (username, password) or bearerToken, not both'],
    );
  });

  it('compiles TLS options, the bearer token and the timeout; autoRegister defaults to true', () => {
    const options = compileConfig(
      testConfig({ routes, registry: { url: 'https://r.example', bearerToken: 't', ssl: { ca: 'CA' } } }),
    );
    assert.deepEqual(options.registry.tls, { rejectUnauthorized: true, ca: 'CA' });
    assert.equal(options.registry.bearerToken, 't');
    assert.equal(options.registry.requestTimeoutMs, 10_000);
    assert.equal(options.processor.autoRegisterSchemas, true);
  });
});
