/**
 * The configs shipped for deployment must pass the connector's own validation:
 * the chart's default `config` value (rendered verbatim into the ConfigMap),
 * the docker-compose config and the examples. A schema change that makes one
 * of them stale fails here, not in a user's crash loop. Rendering the chart
 * itself (helm lint/template) is scripts/check-deploy.sh's job.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { loadConfigFile, loadConfigText } from '../../../src/config/load-config.ts';

const root = new URL('../../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

describe('deployment configs', () => {
  it('the Helm chart default config is valid once its secret file is mounted', () => {
    const values = parse(read('helm/cxone-connector/values.yaml')) as {
      config: { cxone: { auth: { clientSecret: string } } };
    };
    // The chart mounts the Secret's key as <secretDir>/client-secret.
    assert.equal(values.config.cxone.auth.clientSecret, '${file:/var/run/secrets/cxone/client-secret}');
    const dir = mkdtempSync(join(tmpdir(), 'chart-secret-'));
    const secretFile = join(dir, 'client-secret');
    writeFileSync(secretFile, 'from-the-secret\n');
    values.config.cxone.auth.clientSecret = `\${file:${secretFile}}`;
    // The chart sets POD_NAME from the pod's name (its Deployment's env).
    const config = loadConfigText(
      stringify(values.config),
      { POD_NAME: 'cxone-connector-7d9f-abcde' },
      'values.yaml config',
    );
    assert.equal(config.cxone.auth.clientSecret, 'from-the-secret');
    assert.equal(config.kafka.instanceId, 'cxone-connector-7d9f-abcde');
    assert.equal(config.dedup.stateDir, '/var/lib/cxone-connector/state');
    assert.equal(config.observability.metricsHost, '0.0.0.0');
  });

  it('the docker-compose config is valid with the secret from the environment', () => {
    const config = loadConfigFile(new URL('deploy/compose-config.yaml', root).pathname, {
      CXONE_CLIENT_SECRET: 'sim-secret',
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
