/**
 * A three-node KRaft cluster from the project's stack (`--brokers 3`), and the
 * kafkajs producer on it while partition leaders are killed: every message
 * written exactly once. Unpatched, kafkajs 2.2.4 retried per broker, not per
 * partition: after a leader moved to a broker that had already answered, it
 * dropped the moved partitions' messages or re-sent finished ones under new
 * sequence numbers (stored twice), and then stuck on OUT_OF_ORDER_SEQUENCE_NUMBER
 * (vendor/kafkajs, sendMessages.js).
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { startStack, type StackHandle } from '../../devkit/stack/index.ts';
import { readTopic } from '../../src/replay/read-topic.ts';
import { waitFor } from '../support/wait-for.ts';
import { createTopics } from '../../src/kafka/create-topics.ts';
import { writeTestLog } from '../support/test-log.ts';

describe('a three-broker cluster', { timeout: 125_000 }, () => {
  let stack: StackHandle;
  let kafka: Kafka;
  let admin: Admin;

  before(async () => {
    stack = await startStack({
      dir: mkdtempSync(join(tmpdir(), 'cxone-cluster-')),
      brokers: 3,
      log: (line) => writeTestLog(`[stack] ${line}`),
    });
    kafka = new Kafka({ clientId: 'it-cluster', brokers: stack.kafka.brokers, logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
  });
  after(async () => {
    await admin.disconnect();
    await stack.stop();
  });

  /** A new topic, through the one helper, and its metadata. */
  async function createReady(topic: string, numPartitions: number) {
    await createTopics(admin, [{ topic, numPartitions }]);
    return admin.fetchTopicMetadata({ topics: [topic] });
  }

  it('replicates three ways with min.insync.replicas 2', async () => {
    assert.deepEqual(stack.kafka.nodes, [1, 2, 3]);
    const { topics } = await createReady('rf-check', 2);
    for (const p of topics[0]?.partitions ?? []) assert.equal(p.replicas.length, 3);
    // Once the helper returns, a client that never retries, asking any of the three, gets offsets for every partition.
    for (const broker of stack.kafka.brokers) {
      const strict = new Kafka({
        clientId: 'it-cluster-strict',
        brokers: [broker],
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
      }).admin();
      await strict.connect();
      try {
        assert.equal((await strict.fetchTopicOffsets('rf-check')).length, 2);
      } finally {
        await strict.disconnect();
      }
    }
    // describeConfigs goes to any node; one that has not applied the new topic yet answers
    // UNKNOWN_TOPIC_OR_PARTITION for a moment.
    const configs = await waitFor('the topic config from the cluster', () =>
      admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2, name: 'rf-check', configNames: ['min.insync.replicas'] }],
      }),
    );
    assert.equal(configs.resources[0]?.configEntries[0]?.configValue, '2');
  });

  it('an idempotent producer writes every message exactly once while leaders are killed', async () => {
    const topic = 'leader-kills';
    await createReady(topic, 3);
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      retry: { retries: 100, initialRetryTime: 300, maxRetryTime: 3000 },
    });
    await producer.connect();
    const total = 2400;
    const killing = (async () => {
      for (let k = 0; k < 3; k++) {
        await sleep(2500);
        // Three partitions on three nodes: each node leads about one of them.
        const leader = (k % 3) + 1;
        await stack.killBroker(leader);
        await sleep(3000);
        await stack.startBroker(leader);
      }
    })();
    for (let i = 0; i < total; i += 40) {
      await producer
        .send({
          topic,
          acks: -1,
          messages: Array.from({ length: 40 }, (_, j) => ({ key: `k${(i + j) % 11}`, value: `m${i + j}` })),
        })
        .catch((error: unknown) => {
          throw new Error(`producer.send of messages ${i}-${i + 39} failed`, { cause: error });
        });
      await sleep(50);
    }
    await killing.catch((error: unknown) => {
      throw new Error('killing or restarting a broker failed', { cause: error });
    });
    await producer.disconnect();
    // The producer is what is tested; the read back only has to get through, and right after the
    // last restart the cluster may still be electing leaders (LEADER_NOT_AVAILABLE): retry those.
    let records;
    for (let attempt = 1; ; attempt++) {
      try {
        ({ records } = await readTopic(kafka, topic, 60_000));
        break;
      } catch (error) {
        if (attempt === 5 || (error as { retriable?: boolean }).retriable !== true)
          throw new Error('reading the topic back failed', { cause: error });
        await sleep(2000);
      }
    }
    const values = records.map((r) => r.value?.toString() ?? '');
    assert.equal(new Set(values).size, total, 'every message is there');
    assert.equal(values.length, total, 'and none twice');
  });

  it('transactions go on when the broker coordinating them is killed (the kept coordinator is looked up again)', async () => {
    const topic = 'coordinator-kill';
    await createReady(topic, 3);
    const producer = kafka.producer({
      transactionalId: 'coordinator-kill',
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 10_000,
      retry: { retries: 100, initialRetryTime: 50, multiplier: 1.5, maxRetryTime: 2000 },
    });
    let coordinator: string | undefined;
    producer.on(producer.events.REQUEST, (event) => {
      const { apiName, broker } = event.payload as { apiName: string; broker: string };
      if (apiName === 'EndTxn') coordinator = broker;
    });
    await producer.connect();
    const commit = async (value: string) => {
      for (let attempt = 1; ; attempt++) {
        const tx = await producer.transaction();
        try {
          await tx.send({ topic, acks: -1, messages: [{ key: value, value }] });
          await tx.commit();
          return;
        } catch (error) {
          await tx.abort().catch(() => undefined);
          if (attempt === 30) throw new Error(`transaction ${value} did not commit`, { cause: error });
          await sleep(500);
        }
      }
    };
    for (let i = 0; i < 10; i++) await commit(`before-${i}`);
    const node = stack.kafka.nodes[stack.kafka.brokers.indexOf(coordinator ?? '')];
    assert.ok(
      node !== undefined,
      `the coordinator ${coordinator} is one of ${stack.kafka.brokers.join(', ')}`,
    );
    await stack.killBroker(node);
    try {
      for (let i = 0; i < 10; i++) await commit(`after-${i}`);
      assert.notEqual(coordinator, stack.kafka.brokers[stack.kafka.nodes.indexOf(node)], 'a new coordinator');
    } finally {
      await stack.startBroker(node);
    }
    await producer.disconnect();
    const { records } = await readTopic(kafka, topic, 60_000);
    const values = new Set(records.map((r) => r.value?.toString() ?? ''));
    for (let i = 0; i < 10; i++) {
      assert.ok(values.has(`before-${i}`), `before-${i} committed`);
      assert.ok(values.has(`after-${i}`), `after-${i} committed`);
    }
  });
});
