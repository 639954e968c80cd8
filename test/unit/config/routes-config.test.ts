import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { validateConfig } from '../../../src/config/load-config.ts';
import { configSchema } from '../../../src/config/schema.ts';
import { configIssues } from '../../../devkit/config-fixtures.ts';

const base = {
  kafka: { brokers: ['127.0.0.1:9092'] },
  registry: { url: 'http://127.0.0.1:8080/apis/ccompat/v7' },
  cxone: { baseUrl: 'https://tenant.example', auth: { clientId: 'id', clientSecret: 'secret' } },
  routes: [{ name: 'welcome', journeyId: 'j-welcome' }],
};
const KEY = 'test-audit-pii-key-0123456789abcdef';

const issues = configIssues;

describe('routes and new sections in the config schema', () => {
  it('defaults: journey-trigger routes, unrouted dlq, TopicNameStrategy, PII hashing on', () => {
    const config = validateConfig({ ...base, audit: { piiKey: KEY } });
    assert.equal(config.routes[0]!.action, 'journey-trigger');
    assert.equal(config.processing.unrouted, 'dlq');
    assert.equal(config.output.subjectNameStrategy, 'TopicNameStrategy');
    assert.equal(config.audit.hashPii, true);
    assert.deepEqual(config.decode.readerSchemas, {});
  });

  it('requires a key for PII hashing (on by default), and a readable reader schema', () => {
    for (const audit of [undefined, { hashPii: true }]) {
      const found = issues({ ...base, ...(audit ? { audit } : {}) });
      assert.deepEqual(
        found.map((i) => i.split(':')[0]),
        ['audit.piiKey'],
      );
      assert.match(found[0] ?? '', /audit\.hashPii: false to write contact ids to the audit topic in clear/);
    }
    assert.deepEqual(
      issues({ ...base, audit: { piiKey: 'short' } }).map((i) => i.split(':')[0]),
      ['audit.piiKey'],
    );
    assert.deepEqual(
      issues({ ...base, audit: { piiKey: KEY, piiSalt: KEY } }).map((i) => i.split(':')[0]),
      ['audit.piiSalt'],
    );
    assert.deepEqual(
      issues({ ...base, audit: { piiSalt: 'an-older-16-char-salt' } }),
      [],
      'the older name still works',
    );
    assert.deepEqual(issues({ ...base, audit: { hashPii: false } }), []);
    const problems = issues({
      ...base,
      audit: { piiKey: KEY },
      decode: { readerSchemas: { 'cdp.events': '/nope.avsc' } },
    });
    assert.match(problems[0] ?? '', /^decode\.readerSchemas\.cdp\.events: reader schema \/nope\.avsc/);
  });

  it('the schema alone reads no file and compiles nothing; validation does both, and reports them with the rest', () => {
    const raw = {
      ...base,
      kafka: { brokers: [] },
      routes: [{ name: 'welcome', journeyId: 'j-welcome', when: 'a = ', fields: { contactId: 'b.(' } }],
      audit: { piiKey: KEY, signingKey: 'not-a-pem-secret-value' },
      decode: { readerSchemas: { 'cdp.events': '/nope.avsc' } },
    };
    const pure = configSchema.safeParse({ ...raw, kafka: base.kafka });
    assert.ok(pure.success, 'the shape is right: the schema has nothing to say');
    assert.deepEqual(
      issues(raw).map((i) => i.split(': ')[0]),
      [
        'kafka.brokers',
        'routes.0.when',
        'routes.0.fields.contactId',
        'decode.readerSchemas.cdp.events',
        'audit.signingKey',
      ],
      'a shape problem and every compile or read problem, at once',
    );
  });

  it('takes only an Ed25519 PEM as the audit signing key, never quoting it, and a checkpoint span it can carry', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    for (const signingKey of ['not-a-pem-secret-value', rsa]) {
      const found = issues({ ...base, audit: { piiKey: KEY, signingKey } });
      assert.deepEqual(
        found.map((i) => i.split(':')[0]),
        ['audit.signingKey'],
      );
      assert.match(found[0] ?? '', /openssl genpkey -algorithm ed25519/);
      const sample = signingKey.length > 60 ? signingKey.slice(30, 60) : signingKey;
      assert.ok(!found[0]?.includes(sample), 'the key is not quoted');
    }
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    assert.deepEqual(issues({ ...base, audit: { piiKey: KEY, signingKey: ed } }), []);
    assert.deepEqual(
      issues({ ...base, audit: { piiKey: KEY, checkpointEvery: 5000 } }).map((i) => i.split(':')[0]),
      ['audit.checkpointEvery'],
    );
  });

  it('reports a bad subject name strategy', () => {
    assert.match(
      issues({ ...base, output: { subjectNameStrategy: 'Nope' } })[0] ?? '',
      /^output\.subjectNameStrategy/,
    );
  });
});
