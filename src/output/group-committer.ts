/**
 * Group fencing (KIP-447, `kafka.fencing: group`, the default): one transactional producer
 * for the whole instance, and one transaction for every partition that has a
 * commit ready when the last transaction ends: results, audit, DLQ and dedup
 * records of each, and all their offsets in one TxnOffsetCommit.
 *
 * Fencing: the offsets go with the consumer group's generation and member id
 * (TxnOffsetCommit v3, patched into kafkajs), so the broker refuses them from
 * a member whose generation is over (ILLEGAL_GENERATION) and the whole
 * transaction aborts. A commit is only sent in the generation in which its
 * partition was claimed or kept; one from before is dropped here, since the
 * broker checks the generation, not who owns which partition. The next owner
 * reads the offsets with requireStable (partition-claims.ts), so it waits for
 * a transaction of the previous owner that already holds them to end.
 *
 * The transactional id is `<prefix>-<instance id>`: a crashed instance's open
 * transaction is not aborted by a successor reusing its id, but by the broker
 * after kafka.transactionTimeoutMs (plus its cleanup interval, 10 s by
 * default); until then the next owners of its partitions wait.
 */
import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { kafkaErrorType } from '../contracts/kafka-access.ts';
import { KafkaOutputError } from '../errors.ts';
import {
  collectTopicMessages,
  connectTransactionalProducer,
  isFencedError,
  isTakenOverError,
  instanceIdInUse,
  type GroupMembership,
  type OutputPartitions,
  type OutputTopics,
  type PartitionCommit,
  type TransactionalCommitter,
} from './commit-contents.ts';
import { splitBySize } from './message-size.ts';

/** The broker's answers that mean this member's generation is over. */
const GENERATION_OVER = new Set([
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'REBALANCE_IN_PROGRESS',
  'FENCED_INSTANCE_ID',
]);

export type AbortReason = 'fenced' | 'generation' | 'error';

export interface GroupCommitterDeps {
  kafka: Kafka;
  groupId: string;
  transactionalId: string;
  topics: OutputTopics;
  transactionTimeoutMs: number;
  outputPartitions?: OutputPartitions;
  /** max.message.bytes by output topic: a transaction's records go out in batches under it. */
  maxMessageBytes?: Readonly<Record<string, number>>;
  /** Every aborted transaction, once per partition it held. */
  onAbort?: (reason: AbortReason) => void;
  /** Every committed transaction: how many input partitions and records it held. */
  onTransaction?: (partitions: number, records: number) => void;
  /**
   * A producer with the same transactional id started after this one. With a stable kafka.instanceId
   * that is a second live process given the same name (a restarted pod's predecessor is dead): the
   * two would fence each other back and forth and could stall, so the connector stops this one.
   */
  onTakenOver?: (error: KafkaOutputError) => void;
  logger: Logger;
}

interface Pending {
  commit: PartitionCommit;
  faultPoint: ((name: string) => void) | undefined;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export function createGroupCommitter(deps: GroupCommitterDeps): TransactionalCommitter {
  let producer: Promise<Producer> | undefined;
  let membership: GroupMembership | undefined;
  let queue: Pending[] = [];
  let running: Promise<void> | undefined;
  let closed = false;
  /**
   * Set once another live process has this instance's name. From then on the transactional id is
   * the other process's: initialising it again, for a commit still queued here, would fence the
   * process that rightly holds it, and both would stop.
   */
  let takenOver: KafkaOutputError | undefined;

  function ready(): Promise<Producer> {
    if (takenOver) return Promise.reject(takenOver);
    if (producer) return producer;
    // Before any claim reads: a restarted producer of this id aborts what its predecessor left open.
    const connected = connectTransactionalProducer(
      deps.kafka,
      deps.transactionalId,
      deps.transactionTimeoutMs,
    );
    producer = connected;
    connected.catch(() => {
      if (producer === connected) producer = undefined;
    });
    return connected;
  }

  async function discard(): Promise<void> {
    const current = producer;
    producer = undefined;
    const made = await current?.catch(() => undefined);
    await made?.disconnect().catch(() => undefined);
  }

  function drop(pending: Pending, why: string): void {
    const { topic, partition } = pending.commit;
    pending.reject(
      new KafkaOutputError('KAFKA_ERROR', `${topic}[${partition}]: ${why}`, { retryable: true }),
    );
  }

  async function run(): Promise<void> {
    while (queue.length > 0 && !closed) {
      const batch = queue;
      queue = [];
      const current = membership;
      const live: Pending[] = [];
      for (const pending of batch) {
        const generation = pending.commit.generationId;
        if (current !== undefined && generation === current.generationId) live.push(pending);
        else
          drop(
            pending,
            `claimed in generation ${String(generation)}, the group is at ${String(current?.generationId)}: dropping its in-flight work`,
          );
      }
      if (live.length === 0 || current === undefined) continue;
      await transact(live, current);
    }
  }

  async function transact(live: Pending[], current: GroupMembership): Promise<void> {
    let made: Producer;
    try {
      made = await ready();
    } catch (error) {
      for (const pending of live)
        pending.reject(
          new KafkaOutputError(
            'KAFKA_ERROR',
            `the transactional producer is not ready: ${(error as Error).message}`,
            {
              cause: error,
              retryable: true,
            },
          ),
        );
      return;
    }
    let transaction: Awaited<ReturnType<Producer['transaction']>> | undefined;
    try {
      transaction = await made.transaction();
      const topicMessages = collectTopicMessages(
        deps.topics,
        live.map((pending) => pending.commit),
        deps.outputPartitions,
      );
      const offsets = new Map<string, { partition: number; offset: string; metadata: string | null }[]>();
      for (const { commit } of live) {
        const partitions = offsets.get(commit.topic) ?? [];
        partitions.push({
          partition: commit.partition,
          offset: commit.nextOffset,
          metadata: commit.offsetMetadata,
        });
        offsets.set(commit.topic, partitions);
      }
      for (const send of splitBySize(topicMessages, deps.maxMessageBytes ?? {})) {
        await transaction.sendBatch({ topicMessages: send, acks: -1 });
      }
      await transaction.sendOffsets({
        consumerGroupId: deps.groupId,
        topics: [...offsets].map(([topic, partitions]) => ({ topic, partitions })),
        consumerGroupMetadata: current,
      });
      for (const pending of live) pending.faultPoint?.('during-commit');
      await transaction.commit();
      deps.onTransaction?.(
        live.length,
        live.reduce((sum, { commit }) => sum + commit.outputs.length, 0),
      );
      for (const pending of live) pending.resolve();
    } catch (error) {
      if (transaction?.isActive()) await transaction.abort().catch(() => undefined);
      // After a failed transaction the kafkajs producer refuses the next one: a new one re-initialises
      // the same transactional id.
      await discard();
      if (deps.onTakenOver && (isTakenOverError(error) || kafkaErrorType(error) === 'FENCED_INSTANCE_ID')) {
        takenOver ??= instanceIdInUse(
          isTakenOverError(error)
            ? `started with transactional id ${deps.transactionalId}`
            : 'joined the consumer group under this instance id',
          error,
        );
        deps.onTakenOver(takenOver);
      }
      const reason: AbortReason = isFencedError(error)
        ? 'fenced'
        : GENERATION_OVER.has(kafkaErrorType(error) ?? '')
          ? 'generation'
          : 'error';
      const names = live.map(({ commit }) => `${commit.topic}[${commit.partition}]`).join(', ');
      const message =
        reason === 'generation'
          ? `generation ${current.generationId} is over (${kafkaErrorType(error)}): the broker refused the offsets of ${names}; dropping their in-flight work`
          : reason === 'fenced'
            ? `another producer with transactional id ${deps.transactionalId} fenced this one; dropping the in-flight work of ${names}`
            : `transaction for ${names} failed and was aborted: ${(error as Error).message}`;
      for (const pending of live) {
        deps.onAbort?.(reason);
        pending.reject(new KafkaOutputError('KAFKA_ERROR', message, { cause: error, retryable: true }));
      }
    }
  }

  function kick(): void {
    // run() settles every commit it takes; a throw here would be a bug, and must not leave them hanging.
    running ??= run()
      .catch((error: unknown) => {
        deps.logger.error({ err: error }, 'group committer failed unexpectedly');
        for (const pending of queue.splice(0)) pending.reject(error);
      })
      .finally(() => {
        running = undefined;
        if (queue.length > 0 && !closed) kick();
      });
  }

  return {
    async claim(topic, partition) {
      if (closed) {
        throw new KafkaOutputError('KAFKA_ERROR', `cannot claim ${topic}[${partition}]: shutting down`, {
          retryable: true,
        });
      }
      try {
        await ready();
      } catch (error) {
        throw new KafkaOutputError(
          'KAFKA_ERROR',
          `cannot claim ${topic}[${partition}]: ${(error as Error).message}`,
          { cause: error, retryable: true },
        );
      }
    },
    commit(commit, faultPoint) {
      if (closed) {
        return Promise.reject(
          new KafkaOutputError('KAFKA_ERROR', `${commit.topic}[${commit.partition}]: shutting down`, {
            retryable: true,
          }),
        );
      }
      return new Promise<void>((resolve, reject) => {
        queue.push({ commit, faultPoint, resolve, reject });
        kick();
      });
    },
    async release(topic, partition) {
      const keep: Pending[] = [];
      for (const pending of queue) {
        if (pending.commit.topic === topic && pending.commit.partition === partition)
          drop(pending, 'released before its commit was sent');
        else keep.push(pending);
      }
      queue = keep;
    },
    setMembership(next) {
      membership = next;
    },
    async close() {
      closed = true;
      for (const pending of queue) drop(pending, 'shutting down');
      queue = [];
      await running;
      await discard();
    },
  };
}
