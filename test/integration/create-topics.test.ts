// The one topic-creation helper on the suite's single broker: once it returns, clients that do not
// retry at all can list offsets and produce on every partition (kafkajs's waitForLeaders could not
// promise that: UNKNOWN_TOPIC_OR_PARTITION and NOT_LEADER_FOR_PARTITION right after creation).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, Partitioners, type Admin } from 'kafkajs';
import { createTopics } from '../../src/kafka/create-topics.ts';
import { testStack } from '../support/stack-env.ts';

const stack = testStack();

describe('createTopics (one broker)', { timeout: 45_000 }, () => {
  const kafka = new Kafka({
    clientId: 'it-create-topics',
    brokers: [stack.bootstrap],
    logLevel: logLevel.NOTHING,
    // No retries: any race left after createTopics returns shows as a failure here.
    retry: { retries: 0 },
  });
  const id = `it-ct-${randomBytes(3).toString('hex')}`;
  const created: string[] = [];
  let admin: Admin | undefined;

  before(async () => {
    admin = kafka.admin();
    await admin.connect();
  });
  after(async () => {
    if (!admin) return;
    await admin.deleteTopics({ topics: created }).catch(() => undefined);
    await admin.disconnect();
  });

  it('every partition of each new topic answers ListOffsets and takes a record at once, ten topics in a row', async () => {
    const producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 0 },
    });
    await producer.connect();
    try {
      for (let i = 0; i < 10; i++) {
        const topic = `${id}.${i}`;
        // A fresh admin each time: its metadata cache cannot have seen the topic before.
        const fresh = kafka.admin();
        await fresh.connect();
        try {
          assert.deepEqual(await createTopics(fresh, [{ topic, numPartitions: 8 }]), [topic]);
          created.push(topic);
          const offsets = await fresh.fetchTopicOffsets(topic);
          assert.equal(offsets.length, 8);
          await producer.send({
            topic,
            acks: -1,
            messages: offsets.map(({ partition }) => ({ partition, value: `p${partition}` })),
          });
        } finally {
          await fresh.disconnect();
        }
      }
    } finally {
      await producer.disconnect();
    }
  });

  it('an existing topic is left as it is, and one that exists among new ones does not fail the call', async () => {
    const existing = created[0] ?? assert.fail('the first test created no topic');
    assert.deepEqual(await createTopics(admin!, [{ topic: existing, numPartitions: 3 }]), []);
    const metadata = await admin!.fetchTopicMetadata({ topics: [existing] });
    assert.equal(metadata.topics[0]?.partitions.length, 8, 'not recreated with 3 partitions');
    const another = `${id}.mixed`;
    assert.deepEqual(
      await createTopics(admin!, [{ topic: existing }, { topic: another, numPartitions: 2 }]),
      [another],
    );
    created.push(another);
  });

  it("a bad request is refused with the broker's reason, not waited on", async () => {
    await assert.rejects(
      createTopics(admin!, [{ topic: `${id}.bad`, numPartitions: 1, replicationFactor: 5 }], {
        readyTimeoutMs: 60_000,
      }),
      /replication factor|INVALID_REPLICATION_FACTOR|Topic creation errors/i,
    );
  });
});
