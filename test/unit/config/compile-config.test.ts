import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compileConfig } from '../../../src/config/compile-config.ts';
import { loadConfigText } from '../../../src/config/load-config.ts';
import { configIssues, MINIMAL_CONFIG, testConfig } from '../../../devkit/config-fixtures.ts';

const ROUTES = { routes: [{ name: 'welcome', journeyId: 'j-welcome' }], audit: { hashPii: false } };

const issues = (extra: Record<string, unknown>) => configIssues({ ...MINIMAL_CONFIG, ...extra });

describe('compileConfig', () => {
  it('names limits as their settings are named', () => {
    const { limits } = compileConfig(
      testConfig({ ...ROUTES, processing: { maxInFlightPerPartition: 7, maxInFlight: 70 } }),
    );
    assert.equal(limits.maxInFlightPerPartition, 7);
    assert.equal(limits.maxInFlight, 70);
  });

  it('asks for the scopes the routes need unless scopes are configured', () => {
    const both = testConfig({
      routes: [
        { name: 'welcome', journeyId: 'j' },
        { name: 'sync', action: 'data-action', actionId: 'a', inputs: '{}' },
      ],
    });
    assert.deepEqual(compileConfig(both).cxone.auth.scopes, [
      'journeys:trigger',
      'contacts:read',
      'data-actions:read',
      'data-actions:execute',
    ]);
    const none = testConfig({
      ...ROUTES,
      cxone: { ...testConfig(ROUTES).cxone, auth: { clientId: 'i', clientSecret: 's', scopes: [] } },
    });
    assert.deepEqual(compileConfig(none).cxone.auth.scopes, []);
  });

  it('kafka.instanceId makes the consumer a static member unless kafka.staticMembership is false', () => {
    const kafka = (extra: Record<string, unknown>) =>
      compileConfig(testConfig({ ...ROUTES, kafka: { brokers: ['b:9092'], ...extra } })).consumer
        .groupInstanceId;
    assert.equal(kafka({}), undefined, 'no name, a dynamic member');
    assert.equal(kafka({ instanceId: 'pod-0' }), 'pod-0');
    assert.equal(kafka({ instanceId: 'pod-0', staticMembership: false }), undefined);
  });

  it('kafka.startFrom: earliest, latest or a time', () => {
    const at = (startFrom: string) =>
      compileConfig(testConfig({ ...ROUTES, kafka: { brokers: ['b:9092'], startFrom } }));
    assert.equal(compileConfig(testConfig(ROUTES)).consumer.fromBeginning, true, 'earliest by default');
    assert.equal(at('latest').consumer.fromBeginning, false);
    assert.equal(at('latest').start.startFromMs, undefined);
    const timed = at('2026-12-01T06:00:00+01:00');
    assert.equal(timed.start.startFromMs, Date.parse('2026-12-01T05:00:00Z'));
    assert.equal(timed.consumer.fromBeginning, false);
    assert.match(
      issues({ ...ROUTES, kafka: { brokers: ['b:9092'], startFrom: 'yesterday' } })[0] ?? '',
      /kafka\.startFrom: must be earliest, latest or an ISO-8601 time/,
    );
    assert.match(
      issues({ ...ROUTES, kafka: { brokers: ['b:9092'], fromBeginning: true } })[0] ?? '',
      /replaced by kafka\.startFrom/,
    );
  });

  it('a ${file:} client secret is read again at use, so a rotated file takes effect', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cxone-compile-')), 'secret');
    writeFileSync(file, 'first\n');
    const text = `
kafka: { brokers: ['b:9092'] }
registry: { url: 'http://r:8080' }
cxone: { baseUrl: 'https://t.example', auth: { clientId: id, clientSecret: '\${file:${file}}' } }
routes: [{ name: welcome, journeyId: j }]
audit: { hashPii: false }
`;
    const config = loadConfigText(text, {});
    assert.equal(config.cxone.auth.clientSecret, 'first');
    const { auth } = compileConfig(config, { 'cxone.auth.clientSecret': file }).cxone;
    writeFileSync(file, 'rotated\n');
    assert.equal(auth.readClientSecret?.(), 'rotated');
    assert.equal(
      compileConfig(config).cxone.auth.readClientSecret,
      undefined,
      'a literal secret is not re-read',
    );
  });

  it('processing.onRecordFault, maxEventAgeMs and configFaultProbeMs reach the processor and the route blocks', () => {
    const options = compileConfig(
      testConfig({
        ...ROUTES,
        processing: { onRecordFault: 'hold', maxEventAgeMs: 60_000, configFaultProbeMs: 2_000 },
      }),
    );
    assert.equal(options.processor.onRecordFault, 'hold');
    assert.equal(options.processor.maxEventAgeMs, 60_000);
    assert.equal(options.routeBlocks.probeIntervalMs, 2_000);
  });
});
