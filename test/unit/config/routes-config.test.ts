import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateConfig } from '../../../src/config/load-config.ts';
import { configIssues } from '../../support/config-fixtures.ts';

const base = {
  kafka: { brokers: ['127.0.0.1:9092'] },
  registry: { url: 'http://127.0.0.1:8080/apis/ccompat/v7' },
  cxone: { baseUrl: 'https://tenant.example', auth: { clientId: 'id', clientSecret: 'secret' } },
  routes: [{ name: 'welcome', journeyId: 'j-welcome' }],
};

const issues = configIssues;

describe('routes and new sections in the config schema', () => {
  it('defaults: journey-trigger routes, unrouted dlq, TopicNameStrategy, no PII hashing', () => {
    const config = validateConfig(base);
    assert.equal(config.routes[0]!.action, 'journey-trigger');
    assert.equal(config.processing.unrouted, 'dlq');
    assert.equal(config.output.subjectNameStrategy, 'TopicNameStrategy');
    assert.equal(config.audit.hashPii, false);
    assert.deepEqual(config.decode.readerSchemas, {});
  });

  it('requires a salt for PII hashing and a readable reader schema', () => {
    assert.deepEqual(
      issues({ ...base, audit: { hashPii: true } }).map((i) => i.split(':')[0]),
      ['audit.piiSalt'],
    );
    const problems = issues({ ...base, decode: { readerSchemas: { 'cdp.events': '/nope.avsc' } } });
    assert.match(problems[0] ?? '', /^decode\.readerSchemas\.cdp\.events: reader schema \/nope\.avsc/);
  });

  it('reports a bad subject name strategy', () => {
    assert.match(
      issues({ ...base, output: { subjectNameStrategy: 'Nope' } })[0] ?? '',
      /^output\.subjectNameStrategy/,
    );
  });
});
