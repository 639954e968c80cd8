/**
 * Reading a topic "to its end" on the real broker while a transaction is
 * open: the last stable offset is pinned below records committed after it.
 * The reader waits for the transaction to end, and when it does not end in
 * time says which partition is pinned, instead of passing a partial read off
 * as complete (what `dlq replay`, the demo summary and the tests rely on).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, Partitioners, type Admin, type Producer, type Transaction } from 'kafkajs';
import { testStack } from '../support/stack-env.ts';
import { createTopics } from '../../src/kafka/create-topics.ts';
import { readTopic, readTopicToEnd } from '../../src/replay/read-topic.ts';

const stack = testStack();

describe('reading to the end past an open transaction', { timeout: 45_000 }, () => {
  const topic = `it-pinned-${Date.now().toString(36)}`;
  const kafka = new Kafka({ clientId: 'it-pinned', brokers: [stack.bootstrap], logLevel: logLevel.NOTHING });
  let admin: Admin;
  let open: Producer;
  let openTx: Transaction;

  before(async () => {
    admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [{ topic, numPartitions: 2 }]);
    const producer = (id: string) =>
      kafka.producer({
        transactionalId: `${topic}-${id}`,
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
    open = producer('open');
    const closed = producer('closed');
    await open.connect();
    await closed.connect();
    openTx = await open.transaction();
    await openTx.send({ topic, messages: [{ key: 'open', value: 'open', partition: 0 }] });
    const tx = await closed.transaction();
    await tx.send({
      topic,
      messages: [
        { key: 'after-1', value: 'after-1', partition: 0 },
        { key: 'other', value: 'other', partition: 1 },
      ],
    });
    await tx.commit();
    await closed.disconnect();
  });

  after(async () => {
    await open.disconnect().catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('names the pinned partition when the transaction stays open, and reads the rest', async () => {
    const contents = await readTopic(kafka, topic, 20_000, 'cxone', 1000);
    assert.deepEqual(
      contents.pinned.map((p) => ({ partition: p.partition, stable: p.stable })),
      [{ partition: 0, stable: 0n }],
    );
    // Offsets: 0 the open record, 1 the committed one, 2 its commit marker once the coordinator wrote it.
    assert.ok(contents.pinned[0]!.high >= 2n, `high watermark ${contents.pinned[0]!.high}`);
    assert.deepEqual(
      contents.records.map((r) => r.value?.toString()),
      ['other'],
      'partition 1 read to its end; partition 0 only to the pinned offset',
    );
    await assert.rejects(
      readTopicToEnd(kafka, topic, 20_000, 1000).then(() => undefined),
      /an open transaction pins the end of it-pinned-\w+: partition 0 is readable to offset 0 of [23]/,
    );
  });

  it('waits for the transaction to end and then reads what was committed after it', async () => {
    const reading = readTopic(kafka, topic, 20_000, 'cxone', 15_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await openTx.abort();
    const contents = await reading;
    assert.deepEqual(contents.pinned, []);
    assert.deepEqual(contents.records.map((r) => r.value?.toString()).sort(), ['after-1', 'other']);
  });
});
