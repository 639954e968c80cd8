/**
 * Data-action routes end to end on the real stack: one event, two routes (a
 * sync and an async data action), each one effect in CXone and one result
 * carrying the action's outputs.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { generateEvents, produceEvents } from '../../devkit/cdp-events.ts';
import { groupLag } from '../../devkit/group-lag.ts';
import { decodeAll } from '../../devkit/output-decoding.ts';
import { readTopicToEnd } from '../../src/replay/read-topic.ts';
import { validateConfig } from '../../src/config/load-config.ts';
import { KAFKA_SECURITY_MODES } from '../../devkit/secured-kafka.ts';
import { createHarness, type Harness } from '../support/connector-harness.ts';
import { simClient } from '../support/sim-client.ts';
import { testStack } from '../support/stack-env.ts';
import { waitFor } from '../support/wait-for.ts';

const stack = testStack();

for (const kafkaSecurity of KAFKA_SECURITY_MODES) {
  describe(`data-action routes on the real stack, Kafka over ${kafkaSecurity}`, { timeout: 55_000 }, () => {
    let harness: Harness;
    before(async () => {
      harness = await createHarness(stack, 2, { kafkaSecurity });
    });
    after(async () => harness.close());

    it('invokes sync and async actions once per event and writes their outputs', async () => {
      const events = generateEvents({ count: 20, contacts: 5, prefix: `da-${harness.id}` });
      await produceEvents(harness.kafka, stack.registryUrl, harness.input, events);

      const config = validateConfig({
        ...harness.config,
        cxone: {
          ...harness.config.cxone,
          dataActions: { ...harness.config.cxone.dataActions, pollInitialMs: 50 },
        },
        routes: [
          {
            name: 'lookup',
            action: 'data-action',
            actionId: 'da-customer-lookup',
            inputs: '{ "customerId": contactId, "lookupType": "email", "maxResults": "3" }',
            context: '{ "eventId": eventId }',
          },
          {
            name: 'order',
            action: 'data-action',
            actionId: 'da-order-sync',
            inputs: '{ "orderId": properties.order_id, "amount": 12.5 }',
          },
        ],
      });
      await harness.startConnector(config);
      await waitFor(
        'every event to be committed',
        async () =>
          (await groupLag(harness.admin, config.kafka.groupId, harness.input)) === 0 ? true : undefined,
        90_000,
      );

      const sim = simClient(stack.simUrl);
      const byKey = await sim.effectsByKey();
      const results = await decodeAll<{
        idempotencyKey: string;
        outcome: string;
        outputsJson: string | null;
      }>(stack.registryUrl, await readTopicToEnd(harness.kafka, harness.topics.results));
      const audit = await decodeAll<{
        idempotencyKey: string;
        payloadSha256: string | null;
        actionType: string;
      }>(stack.registryUrl, await readTopicToEnd(harness.kafka, harness.topics.audit));
      assert.equal(results.length, 40, 'one result per event per route');
      for (const event of events) {
        for (const route of ['lookup', 'order']) {
          const key = `${route}:${event.eventId}`;
          assert.equal(byKey[key], 1, `one effect for ${key}`);
          const result = results.find((r) => r.idempotencyKey === key);
          assert.equal(result?.outcome, 'ACCEPTED', `${key} accepted`);
          const outputs = JSON.parse(result?.outputsJson ?? 'null') as Record<string, unknown>;
          if (route === 'lookup')
            assert.equal(outputs.customerId, event.contactId, 'sync outputs echo the input');
          else assert.equal(outputs.orderId, event.properties.order_id, 'async outputs arrive after polling');
          const effect = await sim.effect(key);
          const record = audit.find((a) => a.idempotencyKey === key);
          assert.equal(record?.actionType, 'DATA_ACTION');
          const sent = createHash('sha256').update(JSON.stringify(effect.first.body)).digest('hex');
          assert.equal(record?.payloadSha256, sent, 'audit hashes the exact body sent');
        }
      }
      const lookupBody = (await sim.effect(`lookup:${events[0]!.eventId}`)).first.body as {
        inputs: Record<string, unknown>;
      };
      assert.equal(
        lookupBody.inputs.maxResults,
        3,
        'the string "3" was coerced to the integer the action declares',
      );
    });
  });
}
