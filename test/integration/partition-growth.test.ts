/**
 * Partitions added to the input topic while the connector runs: it sees them
 * (kafka.metadataMaxAgeMs), refuses to claim them while the dedup topic has
 * no partition of their number, says the exact command that fixes it, keeps
 * the old partitions going, and takes the new ones once the dedup topic has
 * them, with every event reaching CXone exactly once and nothing dead-lettered.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCdpEventEncoder, generateEvents, type CdpEvent } from '../../devkit/cdp-events.ts';
import { groupLag } from '../../devkit/group-lag.ts';
import { readTopicToEnd } from '../../src/replay/read-topic.ts';
import { validateConfig } from '../../src/config/load-config.ts';
import { createHarness, type Harness } from '../support/connector-harness.ts';
import { startConnectorProcess, type ConnectorProcess } from '../support/connector-process.ts';
import { assertExactlyOnce } from '../support/exactly-once-check.ts';
import { simClient } from '../support/sim-client.ts';
import { testStack } from '../support/stack-env.ts';
import { waitFor } from '../support/wait-for.ts';

const stack = testStack();

describe('adding input partitions while the connector runs', { timeout: 50_000 }, () => {
  let harness: Harness;
  let connector: ConnectorProcess | undefined;
  before(async () => {
    harness = await createHarness(stack, 2);
  });
  after(async () => {
    if (connector) {
      connector.child.kill('SIGTERM');
      await connector.exited;
    }
    await harness.close();
  });

  async function produceTo(events: readonly CdpEvent[], partitionOf: (i: number) => number): Promise<void> {
    const encoder = await createCdpEventEncoder(stack.registryUrl, harness.input);
    const producer = harness.kafka.producer();
    await producer.connect();
    await producer.send({
      topic: harness.input,
      messages: events.map((e, i) => ({
        key: e.contactId,
        value: encoder.encode(e),
        partition: partitionOf(i),
      })),
    });
    await producer.disconnect();
  }

  it('holds the new partitions with the fix, goes on with the old ones, then takes the new ones once fixed', async () => {
    const config = validateConfig({
      ...harness.config,
      kafka: { ...harness.config.kafka, metadataMaxAgeMs: 1000 },
      processing: { ...harness.config.processing, failureBackoffMs: 1000 },
    });
    connector = startConnectorProcess(config);
    const process = connector;
    const before = generateEvents({ count: 20, contacts: 19, prefix: `grow0-${harness.id}` });
    await produceTo(before, (i) => i % 2);
    await waitFor(
      'the first events committed',
      async () =>
        (await groupLag(harness.admin, config.kafka.groupId, harness.input)) === 0 ? true : undefined,
      90_000,
    );

    await harness.admin.createPartitions({ topicPartitions: [{ topic: harness.input, count: 4 }] });
    const during = generateEvents({ count: 40, contacts: 19, prefix: `grow1-${harness.id}` });
    await produceTo(during, (i) => i % 4);
    const fix = `kafka-topics.sh --bootstrap-server <broker> --alter --topic ${harness.topics.dedup} --partitions 4`;
    await waitFor(
      'the connector to refuse the new partitions with the command that fixes it',
      async () =>
        process.output().includes(fix) && process.output().includes('DEDUP_TOO_FEW_PARTITIONS')
          ? true
          : undefined,
      60_000,
    );

    // The old partitions go on: every event on 0 and 1 committed, none of 2 and 3.
    await waitFor('partitions 0 and 1 committed while 2 and 3 wait', async () => {
      const committed = await harness.admin.fetchOffsets({
        groupId: config.kafka.groupId,
        topics: [harness.input],
      });
      const ends = await harness.admin.fetchTopicOffsets(harness.input);
      const at = (p: number) => committed[0]?.partitions.find((c) => c.partition === p)?.offset ?? '-1';
      const end = (p: number) => ends.find((e) => e.partition === p)?.high ?? '0';
      return at(0) === end(0) && at(1) === end(1) && at(2) === '-1' && at(3) === '-1' ? true : undefined;
    });
    assert.equal(
      (await readTopicToEnd(harness.kafka, harness.topics.dlq)).length,
      0,
      'nothing dead-lettered',
    );

    await harness.admin.createPartitions({ topicPartitions: [{ topic: harness.topics.dedup, count: 4 }] });
    await waitFor(
      'every event committed once the dedup topic has the partitions',
      async () =>
        (await groupLag(harness.admin, config.kafka.groupId, harness.input)) === 0 ? true : undefined,
      90_000,
    );
    const keys = [...before, ...during].map((e) => `welcome:${e.eventId}`);
    await assertExactlyOnce(harness, simClient(stack.simUrl), keys, stack.registryUrl);
    assert.equal(
      (await readTopicToEnd(harness.kafka, harness.topics.dlq)).length,
      0,
      'nothing dead-lettered',
    );
  });
});
