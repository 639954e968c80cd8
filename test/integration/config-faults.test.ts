/**
 * Configuration faults on the real stack: a wrong client secret and a scope
 * the API application lacks. Nothing may be dead-lettered or committed while
 * the fault lasts, health must say degraded and why, and once the cause is
 * fixed (the mounted secret file rewritten, the scope granted in the tenant)
 * every event must go through, with no restart.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { generateEvents, produceEvents } from '../../devkit/cdp-events.ts';
import { groupLag } from '../../devkit/group-lag.ts';
import { decodeAll } from '../../devkit/output-decoding.ts';
import { readTopicToEnd } from '../../src/replay/read-topic.ts';
import { validateConfig } from '../../src/config/load-config.ts';
import type { Connector } from '../../src/connector.ts';
import { createHarness, type Harness } from '../support/connector-harness.ts';
import { testStack } from '../support/stack-env.ts';
import { waitFor } from '../support/wait-for.ts';

const stack = testStack();

async function setSimClient(clientId: string, patch: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${stack.simUrl}/_sim/clients/${clientId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(patch),
  });
  assert.equal(response.status, 200, await response.text());
}

async function blockedBy(connector: Connector, code: string): Promise<true | undefined> {
  const health = connector.health();
  return health.status === 'degraded' && health.blockedRoutes.some((b) => b.code === code) ? true : undefined;
}

describe('configuration faults hold the work and recover by themselves', { timeout: 55_000 }, () => {
  let harness: Harness;
  before(async () => {
    harness = await createHarness(stack, 3);
  });
  after(async () => {
    await setSimClient('sim-readonly', { scopes: ['contacts:read', 'data-actions:read'] });
    await harness.close();
  });

  const outcomes = async (topic: string) =>
    (await decodeAll<{ outcome: string }>(stack.registryUrl, await readTopicToEnd(harness.kafka, topic))).map(
      (r) => r.outcome,
    );

  it('a wrong client secret: nothing dead-lettered or committed, degraded, then all accepted once the file is fixed', async () => {
    // Contacts 1-19 are all SUBSCRIBED in the simulator, so every event is one trigger.
    const events = generateEvents({ count: 20, contacts: 19, prefix: `cf-${harness.id}` });
    await produceEvents(harness.kafka, stack.registryUrl, harness.input, events);
    const secretFile = join(mkdtempSync(join(tmpdir(), 'cxone-secret-')), 'client-secret');
    writeFileSync(secretFile, 'not-the-secret\n');
    const config = validateConfig({
      ...harness.config,
      cxone: {
        ...harness.config.cxone,
        auth: { ...harness.config.cxone.auth, clientSecret: 'not-the-secret' },
      },
      processing: { ...harness.config.processing, configFaultProbeMs: 500 },
    });
    const { connector, metrics } = await harness.startConnector(config, {
      secretFiles: { 'cxone.auth.clientSecret': secretFile },
    });
    await waitFor('the route to be blocked by CXONE_AUTH_FAILED', () =>
      blockedBy(connector, 'CXONE_AUTH_FAILED'),
    );
    assert.match(connector.health().blockedRoutes[0]?.reason ?? '', /token endpoint refused the credentials/);
    assert.doesNotMatch(JSON.stringify(connector.health()), /not-the-secret/);
    assert.match(
      String(await metrics.registry.getSingleMetricAsString('cxone_connector_blocked_routes')),
      /code="CXONE_AUTH_FAILED"} 1/,
    );
    // Long enough for several probes: still nothing written, nothing committed.
    await sleep(2_000);
    assert.equal((await readTopicToEnd(harness.kafka, harness.topics.dlq)).length, 0, 'no dead letter');
    assert.equal(await groupLag(harness.admin, config.kafka.groupId, harness.input), events.length);

    writeFileSync(secretFile, 'sim-secret\n');
    await waitFor(
      'every event to be committed after the fix',
      async () =>
        (await groupLag(harness.admin, config.kafka.groupId, harness.input)) === 0 ? true : undefined,
      60_000,
    );
    assert.equal(connector.health().status, 'ok');
    assert.deepEqual(
      await outcomes(harness.topics.results),
      events.map(() => 'ACCEPTED'),
    );
    assert.equal((await readTopicToEnd(harness.kafka, harness.topics.dlq)).length, 0, 'still no dead letter');
    await connector.stop();
  });

  it('a scope the API application lacks on a data-action route: held, then all accepted once granted', async () => {
    const before = (await readTopicToEnd(harness.kafka, harness.topics.results)).length;
    const events = generateEvents({ count: 10, contacts: 19, prefix: `cs-${harness.id}` });
    await produceEvents(harness.kafka, stack.registryUrl, harness.input, events);
    const config = validateConfig({
      ...harness.config,
      kafka: { ...harness.config.kafka, groupId: `${harness.config.kafka.groupId}-scopes` },
      cxone: {
        ...harness.config.cxone,
        auth: { ...harness.config.cxone.auth, clientId: 'sim-readonly', clientSecret: 'sim-readonly-secret' },
      },
      routes: [
        {
          name: 'lookup',
          action: 'data-action',
          actionId: 'da-customer-lookup',
          inputs: '{ "customerId": contactId }',
        },
      ],
      processing: { ...harness.config.processing, configFaultProbeMs: 500 },
    });
    const { connector } = await harness.startConnector(config);
    await waitFor('the route to be blocked by the missing scope', () =>
      blockedBy(connector, 'CXONE_AUTH_FAILED'),
    );
    assert.match(connector.health().blockedRoutes[0]?.reason ?? '', /refused the scopes asked for/);
    await sleep(2_000);
    assert.equal((await readTopicToEnd(harness.kafka, harness.topics.dlq)).length, 0, 'no dead letter');
    const all = 30; // this group starts at the beginning: the 20 events of the first test too
    assert.equal(await groupLag(harness.admin, config.kafka.groupId, harness.input), all);

    await setSimClient('sim-readonly', {
      scopes: ['contacts:read', 'data-actions:read', 'data-actions:execute', 'journeys:trigger'],
    });
    await waitFor(
      'every event to be committed after the grant',
      async () =>
        (await groupLag(harness.admin, config.kafka.groupId, harness.input)) === 0 ? true : undefined,
      60_000,
    );
    const results = await outcomes(harness.topics.results);
    assert.deepEqual(
      results.slice(before),
      Array.from({ length: all }, () => 'ACCEPTED'),
    );
    assert.equal((await readTopicToEnd(harness.kafka, harness.topics.dlq)).length, 0, 'still no dead letter');
    assert.equal(connector.health().status, 'ok');
  });
});
