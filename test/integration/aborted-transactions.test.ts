/**
 * read_committed on the real broker with transactional producers interleaved
 * in one partition, the way the connector's instances interleave in the
 * results and audit topics (and a CDP's transactional producers may in the
 * input): a consumer that starts inside two aborted transactions must see
 * none of their records. kafkajs 2.2.4 returned some of them; the project
 * fixes it in its fork (vendor/kafkajs) and this test keeps the fix honest.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { testStack } from '../support/stack-env.ts';
import { waitFor } from '../support/wait-for.ts';
import { createTopics } from '../../src/kafka/create-topics.ts';

const stack = testStack();

describe('read_committed with interleaved aborted transactions', { timeout: 45_000 }, () => {
  const topic = `it-aborted-${Date.now().toString(36)}`;
  const kafka = new Kafka({ clientId: 'it-aborted', brokers: [stack.bootstrap], logLevel: logLevel.NOTHING });
  let admin: Admin;

  before(async () => {
    admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [{ topic, numPartitions: 1 }]);
    const [one, two, three] = ['a', 'b', 'c'].map((id) =>
      kafka.producer({ transactionalId: `${topic}-${id}`, idempotent: true, maxInFlightRequests: 1 }),
    ) as [ReturnType<Kafka['producer']>, ReturnType<Kafka['producer']>, ReturnType<Kafka['producer']>];
    for (const p of [one, two, three]) await p.connect();
    const send = (tx: Awaited<ReturnType<typeof one.transaction>>, value: string) =>
      tx.send({ topic, messages: [{ key: value, value, partition: 0 }] });
    // Offsets: 0 a1, 1 b1, 2 a2, 3 b2, then both abort; c1 commits.
    const a = await one.transaction();
    const b = await two.transaction();
    await send(a, 'aborted-a1');
    await send(b, 'aborted-b1');
    await send(a, 'aborted-a2');
    await send(b, 'aborted-b2');
    await a.abort();
    await b.abort();
    const c = await three.transaction();
    await send(c, 'committed-c1');
    await c.commit();
    for (const p of [one, two, three]) await p.disconnect();
  });

  after(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  for (const from of ['0', '1', '2']) {
    it(`a consumer starting at offset ${from} sees only the committed record`, async () => {
      const consumer = kafka.consumer({
        groupId: `${topic}-from-${from}`,
        readUncommitted: false,
        maxWaitTimeInMs: 100,
      });
      const seen: string[] = [];
      let done = false;
      await consumer.connect();
      try {
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          eachMessage: async ({ message }) => {
            const value = message.value?.toString() ?? '';
            seen.push(value);
            if (value === 'committed-c1') done = true;
          },
        });
        consumer.seek({ topic, partition: 0, offset: from });
        await waitFor('the committed record', async () => (done ? true : undefined), 20_000);
      } finally {
        await consumer.disconnect();
      }
      assert.deepEqual(seen, ['committed-c1']);
    });
  }
});
