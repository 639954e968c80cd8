/**
 * The walking skeleton on the real stack: Avro CDP events in Kafka → the
 * connector → CXone (the simulator) → result and audit records out.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  createCdpEventEncoder,
  generateEvents,
  produceEvents,
  produceRecords,
  type CdpEvent,
} from '../../devkit/cdp-events.ts';
import { groupLag } from '../../devkit/group-lag.ts';
import { decodeAll, dlqCode, type DecodedAudit, type DecodedResult } from '../../devkit/output-decoding.ts';
import { readTopicToEnd } from '../../src/replay/read-topic.ts';
import { KAFKA_SECURITY_MODES } from '../../devkit/secured-kafka.ts';
import { createHarness, type Harness } from '../support/connector-harness.ts';
import { testStack } from '../support/stack-env.ts';
import { simClient, type SimClient } from '../support/sim-client.ts';
import { waitFor } from '../support/wait-for.ts';

const stack = testStack();

function expectedBody(event: CdpEvent, key: string) {
  return {
    contactId: event.contactId,
    attributes: {
      ...event.properties,
      email: event.identifiers.email,
      external_id: event.identifiers.external_id,
    },
    event: event.eventType,
    deduplicationId: key,
    timestamp: new Date(event.occurredAt).toISOString(),
  };
}

for (const kafkaSecurity of KAFKA_SECURITY_MODES) {
  // Both fencing modes, one per security mode: partition fencing stays for brokers without KIP-447.
  const fencing = kafkaSecurity === 'mtls' ? 'partition' : 'group';
  describe(
    `journey trigger pipeline on the real stack, Kafka over ${kafkaSecurity}, ${fencing} fencing`,
    { timeout: 50_000 },
    () => {
      let harness: Harness;
      let sim: SimClient;
      const events = generateEvents({
        count: 150,
        contacts: 60,
        prefix: `evt-${kafkaSecurity}-${Date.now().toString(36)}`,
      });
      const keyOf = (e: CdpEvent) => `welcome:${e.eventId}`;
      let expectedOutcome: Map<string, string>;

      before(async () => {
        harness = await createHarness(stack, 3, { kafkaSecurity });
        sim = simClient(stack.simUrl);
        expectedOutcome = new Map();
        for (const event of events) {
          const status = await sim.contactStatus(event.contactId);
          expectedOutcome.set(
            keyOf(event),
            status === 'missing'
              ? 'CONTACT_NOT_FOUND'
              : status === 'SUBSCRIBED'
                ? 'ACCEPTED'
                : 'CONTACT_SUPPRESSED',
          );
        }
        assert.ok(
          [...expectedOutcome.values()].includes('CONTACT_SUPPRESSED'),
          'fixtures include suppressed contacts',
        );
      });
      after(async () => harness.close());

      it('triggers exactly the expected journeys and writes one result and one audit record per event', async () => {
        await produceEvents(harness.kafka, stack.registryUrl, harness.input, events);

        await harness.startConnector({ kafka: { ...harness.config.kafka, fencing } });
        await waitFor('the connector to commit every input record', async () =>
          (await groupLag(harness.admin, harness.config.kafka.groupId, harness.input)) === 0
            ? true
            : undefined,
        );

        // CXone side: exactly the accepted events, each once, with the exact body and headers.
        const accepted = events.filter((e) => expectedOutcome.get(keyOf(e)) === 'ACCEPTED');
        assert.ok(accepted.length > 100, `most events go to subscribed contacts (${accepted.length})`);
        const byKey = await sim.effectsByKey();
        const ours = Object.entries(byKey).filter(([key]) => events.some((e) => keyOf(e) === key));
        assert.deepEqual(new Set(ours.map(([key]) => key)), new Set(accepted.map(keyOf)));
        assert.ok(
          ours.every(([, count]) => count === 1),
          'one effect per idempotency key',
        );
        for (const event of accepted) {
          const effect = await sim.effect(keyOf(event));
          assert.equal(effect.first.path, '/api/v1/journeys/j-welcome/trigger');
          assert.equal(effect.first.headers['idempotency-key'], keyOf(event));
          assert.match(String(effect.first.headers['content-type']), /application\/json/);
          assert.deepEqual(effect.first.body, expectedBody(event, keyOf(event)));
        }

        // Kafka side: one decodable result and audit record per event, with the right outcome.
        const results = await decodeAll<DecodedResult>(
          stack.registryUrl,
          await readTopicToEnd(harness.kafka, harness.topics.results),
        );
        const audit = await decodeAll<DecodedAudit>(
          stack.registryUrl,
          await readTopicToEnd(harness.kafka, harness.topics.audit),
        );
        assert.equal(results.length, events.length);
        assert.equal(audit.length, events.length);
        const resultByKey = new Map(results.map((r) => [r.idempotencyKey, r]));
        const auditByKey = new Map(audit.map((r) => [r.idempotencyKey, r]));
        for (const event of events) {
          const key = keyOf(event);
          const result = resultByKey.get(key);
          assert.ok(result, `a result for ${key}`);
          assert.equal(result.outcome, expectedOutcome.get(key));
          assert.equal(result.eventId, event.eventId);
          assert.equal(result.sourceTopic, harness.input);
          const record = auditByKey.get(key);
          assert.ok(record, `an audit record for ${key}`);
          assert.equal(record.outcome, result.outcome);
          if (result.outcome === 'ACCEPTED') {
            assert.equal(result.httpStatus, 202);
            assert.ok(result.cxoneReference, 'CXone trigger id recorded');
            const sha = createHash('sha256')
              .update(JSON.stringify(expectedBody(event, key)))
              .digest('hex');
            assert.equal(record.payloadSha256, sha, 'audit hashes the exact payload sent');
            assert.ok(record.attempts >= 1);
          } else {
            assert.equal(record.attempts, 0, 'a pre-check outcome makes no trigger call');
          }
        }
      });

      it('a second consumer group replaying the same events causes no second CXone effect', async () => {
        const before = await sim.effectsByKey();
        await harness.startConnector({
          kafka: { ...harness.config.kafka, groupId: `${harness.config.kafka.groupId}-replay` },
        });
        await waitFor('the replaying connector to commit every input record', async () =>
          (await groupLag(harness.admin, `${harness.config.kafka.groupId}-replay`, harness.input)) === 0
            ? true
            : undefined,
        );
        const afterReplay = await sim.effectsByKey();
        for (const event of events) assert.equal(afterReplay[keyOf(event)], before[keyOf(event)]);
      });

      it('dead-letters poison records with a reason and moves the partition on', async () => {
        const poisonHarness = await createHarness(stack, 1);
        try {
          const encoder = await createCdpEventEncoder(stack.registryUrl, poisonHarness.input);
          const good = generateEvents({ count: 3, contacts: 1, prefix: `ok-${poisonHarness.id}` });
          const noIds = {
            ...good[0]!,
            eventId: `noids-${poisonHarness.id}`,
            identifiers: { email: null, external_id: 'x', phone: null },
          };
          const producer = poisonHarness.kafka.producer();
          await producer.connect();
          await produceRecords(producer, poisonHarness.input, [
            { key: 'k', value: encoder.encode(good[0]!) },
            { key: 'k', value: Buffer.from('plain text, not avro') },
            { key: 'k', value: Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 1, 2]) },
            { key: 'k', value: encoder.encode(good[1]!).subarray(0, 10) },
            { key: 'k', value: null },
            { key: 'k', value: encoder.encode(noIds) },
            { key: 'k', value: encoder.encode(good[2]!) },
          ]);
          await producer.disconnect();
          await poisonHarness.startConnector();
          await waitFor('the poison partition to be fully committed', async () =>
            (await groupLag(poisonHarness.admin, poisonHarness.config.kafka.groupId, poisonHarness.input)) ===
            0
              ? true
              : undefined,
          );
          const dlq = await readTopicToEnd(poisonHarness.kafka, poisonHarness.topics.dlq);
          assert.deepEqual(dlq.map(dlqCode), [
            'DECODE_MAGIC_BYTE',
            'DECODE_UNKNOWN_SCHEMA',
            'DECODE_AVRO',
            'DECODE_TOMBSTONE',
            'IDENTIFIERS_MISSING',
          ]);
          const header = (i: number, name: string) => String(dlq[i]?.headers?.[name]);
          assert.equal(header(0, 'cxone.source.topic'), poisonHarness.input);
          assert.equal(header(0, 'cxone.source.offset'), '1');
          assert.equal(header(0, 'cxone.error.stage'), 'decode');
          assert.match(header(4, 'cxone.error.message'), /email/);
          assert.equal(dlq[0]?.value?.toString(), 'plain text, not avro', 'the original bytes are kept');
          const results = await readTopicToEnd(poisonHarness.kafka, poisonHarness.topics.results);
          assert.equal(results.length, 2, 'the good records around the poison were processed');
        } finally {
          await poisonHarness.close();
        }
      });
    },
  );
}
