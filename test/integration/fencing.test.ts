/**
 * Fencing on the real broker: once a new owner has claimed a partition, the
 * previous owner can no longer commit for it, even though the new owner has
 * not committed anything yet. This is what lets the new owner trust the
 * committed offset it reads right after the claim. (kafkajs only fences when a
 * producer begins its first transaction, not on connect; a claim that merely
 * connected would let a zombie commit after the new owner read the offset.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { pino } from 'pino';
import { emptyOutputs } from '../../src/contracts/records.ts';
import type { PartitionCommit } from '../../src/output/commit-contents.ts';
import { createTransactionalCommitter } from '../../src/output/transactional-committer.ts';
import { testStack } from '../support/stack-env.ts';
import { waitFor } from '../support/wait-for.ts';
import { createTopics } from '../../src/kafka/create-topics.ts';

const stack = testStack();

describe('fencing by claim on the real broker', { timeout: 45_000 }, () => {
  const id = `it-fence-${Date.now().toString(36)}`;
  const topics = {
    results: `${id}.results`,
    audit: `${id}.audit`,
    dlq: `${id}.dlq`,
    dedup: `${id}.dedup`,
    auditCheckpoints: `${id}.audit.checkpoints`,
  };
  const kafka = new Kafka({ clientId: id, brokers: [stack.bootstrap], logLevel: logLevel.NOTHING });
  let admin: Admin;
  const committer = () =>
    createTransactionalCommitter({
      kafka,
      groupId: id,
      transactionalIdPrefix: id,
      topics,
      transactionTimeoutMs: 30_000,
      logger: pino({ level: 'silent' }),
    });
  const commitAt = (offset: number): PartitionCommit => {
    const outputs = emptyOutputs();
    outputs.results.push({ key: `k${offset}`, value: Buffer.from(String(offset)) });
    return {
      topic: `${id}.in`,
      partition: 0,
      outputs: [outputs],
      nextOffset: String(offset),
      offsetMetadata: null,
    };
  };
  const committedOffset = async () =>
    (await admin.fetchOffsets({ groupId: id, topics: [`${id}.in`] }))[0]?.partitions.find(
      (p) => p.partition === 0,
    )?.offset;
  // A transaction's offsets become readable once its markers are written, a moment after commit returns.
  const offsetBecomes = (offset: string) =>
    waitFor(
      `committed offset ${offset}`,
      async () => ((await committedOffset()) === offset ? true : undefined),
      10_000,
    );

  before(async () => {
    admin = kafka.admin();
    await admin.connect();
    await createTopics(
      admin,
      [`${id}.in`, ...Object.values(topics)].map((topic) => ({ topic, numPartitions: 1 })),
    );
  });

  after(async () => {
    await admin.deleteTopics({ topics: [`${id}.in`, ...Object.values(topics)] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('a previous owner cannot commit once the next owner has claimed, before the next owner commits anything', async () => {
    const zombie = committer();
    const owner = committer();
    try {
      await zombie.claim(`${id}.in`, 0);
      await zombie.commit(commitAt(5));
      await offsetBecomes('5');

      await owner.claim(`${id}.in`, 0);
      await assert.rejects(zombie.commit(commitAt(9)), {
        code: 'KAFKA_ERROR',
        message: /fenced|another instance/,
      });
      assert.equal(await committedOffset(), '5', 'what the new owner read at its claim is still true');

      await owner.commit(commitAt(7));
      await offsetBecomes('7');
    } finally {
      await zombie.close();
      await owner.close();
    }
  });

  it('the committed offset carries the done-offsets metadata', async () => {
    const owner = committer();
    try {
      await owner.claim(`${id}.in`, 0);
      await owner.commit({ ...commitAt(10), offsetMetadata: 'cx1:BQ' });
      await offsetBecomes('10');
      const partition = (await admin.fetchOffsets({ groupId: id, topics: [`${id}.in`] }))[0]?.partitions[0];
      assert.equal(partition?.offset, '10');
      assert.equal(partition?.metadata, 'cx1:BQ');
    } finally {
      await owner.close();
    }
  });
});
