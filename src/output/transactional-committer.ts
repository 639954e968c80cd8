/**
 * Commits a batch of one input partition as one Kafka transaction: results,
 * audit, DLQ and dedup records plus the input offsets (sendOffsets).
 *
 * Fencing: kafkajs 2.2.4 speaks TxnOffsetCommit v0/v1 only, so there is no
 * consumer-group fencing (KIP-447). Instead each input topic-partition has its
 * own stable transactional id, as kafkajs's docs recommend. Whoever owns the
 * partition now creates that producer first and begins a transaction with it
 * (InitProducerId with the transactional id bumps the epoch and aborts any
 * open transaction of the previous owner); a zombie's later commit then fails
 * with INVALID_PRODUCER_EPOCH / PRODUCER_FENCED. After any failed
 * commit or abort the kafkajs producer is unusable ("already an ongoing
 * transaction"), so it is discarded and a new one is made on the next batch.
 */
import type { Kafka, PartitionOffset, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { KafkaOutputError } from '../errors.ts';
import {
  collectTopicMessages,
  connectTransactionalProducer,
  isFencedError,
  type OutputPartitions,
  type OutputTopics,
  type TransactionalCommitter,
} from './commit-contents.ts';
import { splitBySize } from './message-size.ts';

function transactionalIdFor(prefix: string, topic: string, partition: number): string {
  return `${prefix}-${topic}-${partition}`;
}

export function createTransactionalCommitter(deps: {
  kafka: Kafka;
  groupId: string;
  transactionalIdPrefix: string;
  topics: OutputTopics;
  transactionTimeoutMs: number;
  outputPartitions?: OutputPartitions;
  /** max.message.bytes by output topic: a transaction's records go out in batches under it. */
  maxMessageBytes?: Readonly<Record<string, number>>;
  /** Every aborted commit: fenced (another instance owns the partition now) or error. */
  onAbort?: (reason: 'fenced' | 'error') => void;
  /** Every committed transaction: one input partition here, and how many records. */
  onTransaction?: (partitions: number, records: number) => void;
  logger: Logger;
}): TransactionalCommitter {
  const producers = new Map<string, Promise<Producer>>();
  let closed = false;
  const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

  async function release(topic: string, partition: number): Promise<void> {
    const key = keyOf(topic, partition);
    const producer = producers.get(key);
    producers.delete(key);
    if (producer) await (await producer.catch(() => undefined))?.disconnect().catch(() => undefined);
  }

  async function claim(topic: string, partition: number): Promise<void> {
    await release(topic, partition);
    // A claim that was under way when the connector began to close must not open a connection nobody closes.
    if (closed) {
      throw new KafkaOutputError('KAFKA_ERROR', `cannot claim ${topic}[${partition}]: shutting down`, {
        retryable: true,
      });
    }
    // Fences the previous owner before the claim reads anything (see connectTransactionalProducer).
    const connected = connectTransactionalProducer(
      deps.kafka,
      transactionalIdFor(deps.transactionalIdPrefix, topic, partition),
      deps.transactionTimeoutMs,
    );
    // Two claims of one partition can overlap (a rebalance in between): the later one wins.
    const overlapping = producers.get(keyOf(topic, partition));
    producers.set(keyOf(topic, partition), connected);
    if (overlapping) void overlapping.then((p) => p.disconnect()).catch(() => undefined);
    try {
      await connected;
    } catch (error) {
      producers.delete(keyOf(topic, partition));
      throw new KafkaOutputError(
        'KAFKA_ERROR',
        `cannot claim ${topic}[${partition}]: ${(error as Error).message}`,
        {
          cause: error,
          retryable: true,
        },
      );
    }
  }

  return {
    claim,
    release,
    async commit(commit, faultPoint) {
      const { topic, partition } = commit;
      const key = keyOf(topic, partition);
      const claimed = producers.get(key);
      const producer = await claimed;
      if (!producer) {
        throw new KafkaOutputError(
          'KAFKA_ERROR',
          `no producer for ${topic}[${partition}]: partition not claimed`,
          {
            retryable: true,
          },
        );
      }
      const transaction = await producer.transaction();
      try {
        const topicMessages = collectTopicMessages(deps.topics, [commit], deps.outputPartitions);
        for (const send of splitBySize(topicMessages, deps.maxMessageBytes ?? {})) {
          await transaction.sendBatch({ topicMessages: send, acks: -1 });
        }
        // kafkajs sends the metadata (TxnOffsetCommit has the field) though its types omit it.
        const committed: PartitionOffset & { metadata: string | null } = {
          partition,
          offset: commit.nextOffset,
          metadata: commit.offsetMetadata,
        };
        await transaction.sendOffsets({
          consumerGroupId: deps.groupId,
          topics: [{ topic, partitions: [committed] }],
        });
        faultPoint?.('during-commit');
        await transaction.commit();
        deps.onTransaction?.(1, commit.outputs.length);
      } catch (error) {
        if (transaction.isActive()) await transaction.abort().catch(() => undefined);
        const fenced = isFencedError(error);
        deps.onAbort?.(fenced ? 'fenced' : 'error');
        // A new claim may have replaced this producer meanwhile: that one stays.
        if (producers.get(key) === claimed) await release(topic, partition);
        throw new KafkaOutputError(
          'KAFKA_ERROR',
          fenced
            ? `${topic}[${partition}] is owned by another instance now (producer fenced); dropping its in-flight work`
            : `transaction for ${topic}[${partition}] failed and was aborted: ${(error as Error).message}`,
          { cause: error, retryable: true },
        );
      }
    },
    async close() {
      closed = true;
      const all = [...producers.keys()];
      await Promise.all(
        all.map(async (key) => {
          const producer = await producers.get(key)?.catch(() => undefined);
          producers.delete(key);
          await producer?.disconnect().catch(() => undefined);
        }),
      );
    },
  };
}
