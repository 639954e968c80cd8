/**
 * The configs shipped for deployment must pass the connector's own validation:
 * the chart's default `config` value (rendered verbatim into the ConfigMap),
 * the docker-compose config and the examples. A schema change that makes one
 * of them stale fails here, not in a user's crash loop. Rendering the chart
 * itself (helm lint/template) is scripts/check-deploy.ts's job.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { loadConfigFile, loadConfigText } from '../../../src/config/load-config.ts';

const root = new URL('../../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

describe('deployment configs', () => {
  it('the Helm chart default config is valid once its secret files are mounted', () => {
    const values = parse(read('helm/cxone-connector/values.yaml')) as { config: Record<string, unknown> };
    // The chart mounts each Secret's key at these paths (its Deployment's volumes).
    const mounted = [
      [['cxone', 'auth'], 'clientSecret', '/var/run/secrets/cxone/client-secret', 'from-the-secret'],
      [
        ['audit'],
        'piiKey',
        '/var/run/secrets/cxone-audit/pii-key',
        'an-audit-key-from-the-secret-0123456789',
      ],
      [
        ['audit'],
        'signingKey',
        '/var/run/secrets/cxone-audit-signing/key.pem',
        generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      ],
      [
        ['observability'],
        'adminToken',
        '/var/run/secrets/cxone-admin/token',
        'an-admin-token-from-the-secret-0123456',
      ],
    ] as const;
    const dir = mkdtempSync(join(tmpdir(), 'chart-secret-'));
    for (const [path, key, mountedAt, content] of mounted) {
      let parent = values.config;
      for (const step of path) parent = parent[step] as Record<string, unknown>;
      assert.equal(parent[key], `\${file:${mountedAt}}`);
      const file = join(dir, key);
      writeFileSync(file, `${content}\n`);
      parent[key] = `\${file:${file}}`;
    }
    // The chart sets POD_NAME and POD_IP from the pod (its Deployment's env).
    const config = loadConfigText(
      stringify(values.config),
      { POD_NAME: 'cxone-connector-7d9f-abcde', POD_IP: '10.1.2.3' },
      'values.yaml config',
    );
    assert.equal(config.cxone.auth.clientSecret, 'from-the-secret');
    assert.equal(config.audit.hashPii, true);
    assert.equal(config.audit.piiKey, 'an-audit-key-from-the-secret-0123456789');
    assert.equal(config.observability.adminToken, 'an-admin-token-from-the-secret-0123456');
    assert.match(config.audit.signingKey ?? '', /^-----BEGIN PRIVATE KEY-----/);
    assert.equal(config.kafka.instanceId, 'cxone-connector-7d9f-abcde');
    assert.equal(config.dedup.stateDir, '/var/lib/cxone-connector/state');
    assert.equal(config.observability.metricsHost, '10.1.2.3');
  });

  it('the docker-compose config is valid with the secret from the environment', () => {
    const config = loadConfigFile(new URL('deploy/compose-config.yaml', root).pathname, {
      CXONE_CLIENT_SECRET: 'sim-secret',
      CXONE_PII_KEY: 'compose-demo-audit-pii-key-0123456789',
    });
    assert.deepEqual(config.kafka.brokers, ['kafka:19092']);
    assert.equal(config.registry.url, 'http://registry:8080/apis/ccompat/v7');
    assert.equal(config.cxone.baseUrl, 'http://sim:8089');
    assert.equal(config.observability.metricsPort, 9464);
  });

  it('the docker-compose file mounts that config and exposes the metrics port', () => {
    const compose = parse(read('docker-compose.yml')) as {
      services: Record<string, { volumes?: string[]; ports?: string[]; command?: string[] }>;
    };
    const connector = compose.services.connector;
    assert.ok(connector);
    assert.ok(
      connector.volumes?.includes('./deploy/compose-config.yaml:/etc/cxone-connector/config.yaml:ro'),
    );
    assert.ok(connector.ports?.includes('9464:9464'));
    assert.deepEqual(compose.services.sim?.command?.slice(0, 5), [
      'sim',
      '--host',
      '0.0.0.0',
      '--port',
      '8089',
    ]);
  });
});
