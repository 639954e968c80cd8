/**
 * Outputs the broker would refuse never wedge a partition: output topics with
 * a small max.message.bytes, on the real broker. A transaction's records go
 * out in batches under the limit; a dead letter too big for the DLQ topic is
 * written without its value (which stays in the input); a limit too small for
 * one record fails the start with what to fix.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateEvents, produceEvents } from '../../devkit/cdp-events.ts';
import { groupLag } from '../../devkit/group-lag.ts';
import { decodeAll, dlqCode } from '../../devkit/output-decoding.ts';
import { validateConfig } from '../../src/config/load-config.ts';
import { DLQ_HEADERS } from '../../src/output/output-records.ts';
import { readTopicToEnd } from '../../src/replay/read-topic.ts';
import { createHarness, type Harness } from '../support/connector-harness.ts';
import { testStack } from '../support/stack-env.ts';
import { waitFor } from '../support/wait-for.ts';
import { createTopics } from '../../src/kafka/create-topics.ts';

const stack = testStack();
const LIMIT = 16_384;

describe('output topics with a small max.message.bytes', { timeout: 45_000 }, () => {
  let harness: Harness;
  before(async () => {
    harness = await createHarness(stack, 3);
    const { results, audit, dlq } = harness.topics;
    await createTopics(
      harness.admin,
      [results, audit, dlq].map((topic) => ({
        topic,
        numPartitions: 3,
        configEntries: [{ name: 'max.message.bytes', value: String(LIMIT) }],
      })),
    );
  });
  after(async () => harness.close());

  it('commits every record, splitting transactions into batches under the limit and trimming a dead letter', async () => {
    // Contacts 1-19 are SUBSCRIBED: one trigger each. All produced before the start, so the first
    // transaction of each partition holds dozens of results and audit records: well over 16 KiB.
    const events = generateEvents({ count: 240, contacts: 19, prefix: `ol-${harness.id}` });
    await produceEvents(harness.kafka, stack.registryUrl, harness.input, events);
    const big = Buffer.alloc(40_000, 'x'); // not Avro: a dead letter twice the DLQ topic's limit
    const poisonOffset = (await harness.admin.fetchTopicOffsets(harness.input)).find(
      (p) => p.partition === 0,
    )?.high;
    const producer = harness.kafka.producer();
    await producer.connect();
    await producer.send({ topic: harness.input, messages: [{ key: 'poison', value: big, partition: 0 }] });
    await producer.disconnect();

    const { connector, metrics } = await harness.startConnector(validateConfig(harness.config));
    await waitFor(
      'every input record to be committed',
      async () =>
        (await groupLag(harness.admin, harness.config.kafka.groupId, harness.input)) === 0 ? true : undefined,
      90_000,
    );
    const results = await decodeAll<{ outcome: string }>(
      stack.registryUrl,
      await readTopicToEnd(harness.kafka, harness.topics.results),
    );
    assert.equal(results.filter((r) => r.outcome === 'ACCEPTED').length, events.length);
    assert.equal((await readTopicToEnd(harness.kafka, harness.topics.audit)).length, events.length);

    const [dead, ...more] = await readTopicToEnd(harness.kafka, harness.topics.dlq);
    assert.equal(more.length, 0);
    assert.ok(dead);
    assert.equal(dlqCode(dead), 'DECODE_MAGIC_BYTE');
    assert.equal(dead.value, null, 'the value stays in the input topic');
    assert.equal(dead.headers?.[DLQ_HEADERS.valueOmitted]?.toString(), String(big.length));
    assert.equal(dead.headers?.[DLQ_HEADERS.offset]?.toString(), poisonOffset);
    assert.match(
      String(await metrics.registry.getSingleMetricAsString('cxone_connector_outputs_trimmed_total')),
      /output="dlq"} 1/,
    );
    await connector.stop();
  });

  it('refuses to start when an output topic cannot hold one audit record, saying what to fix', async () => {
    const tiny = `${harness.input}.tiny-audit`;
    await createTopics(harness.admin, [
      { topic: tiny, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '1000' }] },
    ]);
    try {
      const config = validateConfig({
        ...harness.config,
        kafka: { ...harness.config.kafka, topics: { ...harness.config.kafka.topics, audit: tiny } },
      });
      await assert.rejects(
        harness.startConnector(config),
        new RegExp(`max.message.bytes too small .*${tiny.replace(/\./g, '\\.')} \\(1000\\).*at least 16384`),
      );
    } finally {
      await harness.admin.deleteTopics({ topics: [tiny] }).catch(() => undefined);
    }
  });
});
