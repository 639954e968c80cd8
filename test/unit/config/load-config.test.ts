import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compileConfig } from '../../../src/config/compile-config.ts';
import { loadConfigText } from '../../../src/config/load-config.ts';
import { ConfigError } from '../../../src/errors.ts';

const valid = `
kafka:
  brokers: ["127.0.0.1:9092"]
registry:
  url: http://127.0.0.1:8080/apis/ccompat/v7
cxone:
  baseUrl: https://tenant.example
  auth:
    clientId: my-client
    clientSecret: \${env:CXONE_SECRET}
routes:
  - name: welcome
    journeyId: j-welcome
audit:
  piiKey: test-audit-pii-key-0123456789abcdef
`;

function problems(text: string, env: Record<string, string> = {}): string[] {
  try {
    loadConfigText(text, env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.code, 'CONFIG_INVALID');
    return [...error.issues];
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfigText', () => {
  it('applies defaults and resolves secrets from the environment', () => {
    const config = loadConfigText(valid, { CXONE_SECRET: 's3cret' });
    assert.equal(config.cxone.auth.clientSecret, 's3cret');
    assert.deepEqual(config.kafka.inputTopics, ['cdp.events']);
    assert.equal(config.kafka.topics.results, 'cxone.results');
    assert.equal(config.cxone.paths.trigger, '/api/v1/journeys/{journeyId}/trigger');
    assert.equal(compileConfig(config).cxone.auth.tokenPath, '/api/v2/oauth/token');
    assert.equal(config.cxone.retry.maxAttempts, 6);
  });

  it('resolves secrets from mounted files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'secret'), 'from-file\n');
    const config = loadConfigText(
      valid.replace('${env:CXONE_SECRET}', `\${file:${join(dir, 'secret')}}`),
      {},
    );
    assert.equal(config.cxone.auth.clientSecret, 'from-file');
  });

  it('lets environment variables override any setting, typed', () => {
    const config = loadConfigText(valid, {
      CXONE_SECRET: 'x',
      CXONE_CONNECTOR__KAFKA__BROKERS: '[a:1, b:2]',
      CXONE_CONNECTOR__CXONE__REQUEST_TIMEOUT_MS: '2500',
      CXONE_CONNECTOR__CXONE__AUTH__STYLE: 'form',
    });
    assert.deepEqual(config.kafka.brokers, ['a:1', 'b:2']);
    assert.equal(config.cxone.requestTimeoutMs, 2500);
    assert.equal(config.cxone.auth.style, 'form');
  });

  it('reports every problem at once, each with its path', () => {
    const bad = `
kafka:
  brokers: []
  inputTopics: ["bad topic!"]
registry:
  url: not-a-url
cxone:
  baseUrl: http://tenant.example
  auth:
    clientId: x
routes:
  - name: Welcome
    journeyId: j
    unknownKey: 1
`;
    const issues = problems(bad);
    const paths = issues.map((i) => i.split(':')[0]);
    for (const expected of [
      'kafka.brokers',
      'kafka.inputTopics.0',
      'registry.url',
      'cxone.auth.clientSecret',
      'routes.0',
      'routes.0.name',
    ]) {
      assert.ok(paths.includes(expected), `expected a problem at ${expected}, got:\n${issues.join('\n')}`);
    }
    assert.ok(
      issues.some((i) => i.includes('${env:NAME}')),
      'a missing secret comes with a hint',
    );
  });

  it('refuses plain HTTP to CXone unless explicitly allowed', () => {
    const http = valid.replace('https://tenant.example', 'http://127.0.0.1:8089');
    assert.ok(problems(http, { CXONE_SECRET: 'x' }).some((p) => p.startsWith('cxone.baseUrl')));
    const allowed = http.replace('baseUrl: http', 'allowInsecureHttp: true\n  baseUrl: http');
    assert.equal(loadConfigText(allowed, { CXONE_SECRET: 'x' }).cxone.allowInsecureHttp, true);
  });

  it('names a missing secret environment variable', () => {
    assert.deepEqual(problems(valid), [
      'cxone.auth.clientSecret: environment variable CXONE_SECRET is not set',
    ]);
  });

  it('reports YAML syntax errors', () => {
    assert.match(problems('kafka: [unclosed')[0] ?? '', /YAML/);
  });
});
