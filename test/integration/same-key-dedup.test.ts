/**
 * The dedup gaps a fleet would hit, on the real stack: two input topics share
 * dedup partition numbers, yet each keeps its own entries, so repeats on both
 * after a fresh claim (a restart) are DUPLICATE; and one event published twice
 * under two Kafka keys makes one CXone call, its second copy a DUPLICATE.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createCdpEventEncoder,
  generateEvents,
  produceEvents,
  produceRecords,
} from '../../devkit/cdp-events.ts';
import { groupLag } from '../../devkit/group-lag.ts';
import { decodeAll, type DecodedResult } from '../../devkit/output-decoding.ts';
import { validateConfig } from '../../src/config/load-config.ts';
import { readTopicToEnd } from '../../src/replay/read-topic.ts';
import { createHarness, type Harness } from '../support/connector-harness.ts';
import { simClient } from '../support/sim-client.ts';
import { testStack } from '../support/stack-env.ts';
import { waitFor } from '../support/wait-for.ts';
import { createTopics } from '../../src/kafka/create-topics.ts';

const stack = testStack();
const sim = simClient(stack.simUrl);

async function results(harness: Harness): Promise<DecodedResult[]> {
  return decodeAll<DecodedResult>(
    stack.registryUrl,
    await readTopicToEnd(harness.kafka, harness.topics.results),
  );
}

describe('dedup per input topic-partition, and one key in flight at a time', { timeout: 50_000 }, () => {
  let harness: Harness;
  let second: string;
  before(async () => {
    harness = await createHarness(stack, 2);
    second = `${harness.input}.second`;
    await createTopics(harness.admin, [{ topic: second, numPartitions: 2 }]);
  });
  after(async () => {
    await harness.admin.deleteTopics({ topics: [second] }).catch(() => undefined);
    await harness.close();
  });

  it('two input topics: repeats on both after a fresh claim are DUPLICATE, with no second effect', async () => {
    const config = validateConfig({
      ...harness.config,
      kafka: { ...harness.config.kafka, inputTopics: [harness.input, second] },
    });
    const onFirst = generateEvents({ count: 12, contacts: 6, prefix: `t1-${harness.id}` });
    const onSecond = generateEvents({ count: 12, contacts: 6, prefix: `t2-${harness.id}` });
    await produceEvents(harness.kafka, stack.registryUrl, harness.input, onFirst);
    await produceEvents(harness.kafka, stack.registryUrl, second, onSecond);
    const committed = async () =>
      (await groupLag(harness.admin, config.kafka.groupId, harness.input)) +
      (await groupLag(harness.admin, config.kafka.groupId, second));
    const first = await harness.startConnector(config);
    await waitFor('both topics committed', async () => ((await committed()) === 0 ? true : undefined));
    await first.connector.stop();
    const effects = await sim.effectsByKey();

    // A fresh start claims every partition again and restores its dedup state from the topic.
    await produceEvents(harness.kafka, stack.registryUrl, harness.input, onFirst);
    await produceEvents(harness.kafka, stack.registryUrl, second, onSecond);
    const restarted = await harness.startConnector(config);
    await waitFor('the repeats committed', async () => ((await committed()) === 0 ? true : undefined));
    const restored = (await restarted.metrics.dedupRestoreReads.get()).values[0]?.value ?? 0;
    assert.ok(
      restored >= onFirst.length + onSecond.length,
      `the claims read the dedup history back (${restored})`,
    );
    const all = await results(harness);
    assert.equal(all.length, 2 * (onFirst.length + onSecond.length));
    // Every event of each topic: its first outcome, then a DUPLICATE for the repeat.
    for (const [topic, events] of [
      [harness.input, onFirst],
      [second, onSecond],
    ] as const) {
      for (const event of events) {
        const mine = all.filter((r) => r.eventId === event.eventId && r.sourceTopic === topic);
        assert.equal(mine.length, 2, `${topic} ${event.eventId}: two results`);
        assert.equal(
          mine.filter((r) => r.outcome === 'DUPLICATE').length,
          1,
          `${topic} ${event.eventId}: one DUPLICATE`,
        );
      }
    }
    assert.deepEqual(await sim.effectsByKey(), effects, 'no second effect in CXone');
  });

  it('one event under two Kafka keys, in flight together: one call, one ACCEPTED, one DUPLICATE', async () => {
    const twin = await createHarness(stack, 1);
    try {
      const [event] = generateEvents({ count: 1, contacts: 1, prefix: `twin-${twin.id}` });
      assert.ok(event);
      // Different Kafka keys: the key-ordered queue runs the two copies side by side.
      const before = await sim.effectsByKey();
      const encoder = await createCdpEventEncoder(stack.registryUrl, twin.input);
      const producer = twin.kafka.producer();
      await producer.connect();
      await produceRecords(producer, twin.input, [
        { key: 'kafka-key-a', value: encoder.encode(event) },
        { key: 'kafka-key-b', value: encoder.encode(event) },
      ]);
      await producer.disconnect();
      await twin.startConnector();
      await waitFor('both copies committed', async () =>
        (await groupLag(twin.admin, twin.config.kafka.groupId, twin.input)) === 0 ? true : undefined,
      );
      const outcomes = (await results(twin)).map((r) => r.outcome).sort();
      assert.deepEqual(outcomes, ['ACCEPTED', 'DUPLICATE']);
      const key = `welcome:${event.eventId}`;
      const after = await sim.effectsByKey();
      assert.equal(after[key], 1);
      assert.equal(before[key], undefined);
    } finally {
      await twin.close();
    }
  });
});
