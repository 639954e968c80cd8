/**
 * Keeps the dedup store in step with the compacted dedup topic. A tailing
 * consumer (its own throwaway group, nothing committed) reads only the dedup
 * partitions this instance owns: when a partition is assigned it is rewound to
 * its beginning and `restore` resolves once it has been read up to the end
 * offset taken at that moment, so no input record of that partition is
 * processed before its history is known. kafkajs has no manual assignment, so
 * the partitions we do not own are paused rather than unassigned.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { EventDecoder } from '../decode/event-decoder.ts';
import type { DedupStore } from './dedup-store.ts';

export interface DedupRestorer {
  start(): Promise<void>;
  /** Reads dedup partition `partition` from its start to its current end into the store. */
  restore(partition: number, signal: AbortSignal): Promise<void>;
  /** Forgets a partition this instance no longer owns. */
  release(partition: number): void;
  stop(): Promise<void>;
}

export interface DedupRestorerDeps {
  kafka: Kafka;
  admin: Admin;
  topic: string;
  store: DedupStore;
  decoder: EventDecoder;
  logger: Logger;
  timeoutMs: number;
}

interface Waiter {
  target: bigint;
  resolve: () => void;
}

export function createDedupRestorer(deps: DedupRestorerDeps): DedupRestorer {
  const { topic, store } = deps;
  let consumer: Consumer | undefined;
  const owned = new Set<number>();
  const position = new Map<number, bigint>();
  const waiters = new Map<number, Waiter[]>();
  let allPartitions: number[] = [];

  function advance(partition: number, next: bigint): void {
    const current = position.get(partition) ?? -1n;
    if (next <= current) return;
    position.set(partition, next);
    const list = waiters.get(partition) ?? [];
    const still = list.filter((w) => {
      if (next >= w.target) w.resolve();
      return next < w.target;
    });
    waiters.set(partition, still);
  }

  async function apply(partition: number, key: Buffer | null, value: Buffer | null): Promise<void> {
    if (key === null || !owned.has(partition)) return;
    const idempotencyKey = key.toString('utf8');
    if (value === null) {
      store.delete(partition, idempotencyKey);
      return;
    }
    const { value: entry } = await deps.decoder.decode(value);
    const { createdAt, outcome } = entry as { createdAt: number; outcome: string };
    store.set(partition, idempotencyKey, { createdAtMs: Number(createdAt), outcome });
  }

  return {
    async start() {
      const metadata = await deps.admin.fetchTopicMetadata({ topics: [topic] });
      allPartitions = (metadata.topics[0]?.partitions ?? []).map((p) => p.partitionId);
      consumer = deps.kafka.consumer({
        groupId: `cxone-dedup-restore-${randomUUID()}`,
        readUncommitted: false,
        // The tail must never be what holds a rebalance up: it is a group of one.
        sessionTimeout: 30_000,
      });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
        const { partition, lastOffset } = event.payload as { partition: number; lastOffset: string };
        advance(partition, BigInt(lastOffset) + 1n);
      });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: Math.max(1, allPartitions.length),
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) await apply(batch.partition, message.key, message.value);
        },
      });
      // Nothing is owned yet: read nothing until a partition is assigned.
      consumer.pause([{ topic, partitions: allPartitions }]);
    },

    async restore(partition, signal) {
      if (!consumer) throw new Error('dedup restorer not started');
      owned.add(partition);
      store.dropPartition(partition);
      const offsets = await deps.admin.fetchTopicOffsets(topic);
      const end = offsets.find((o) => o.partition === partition);
      const low = BigInt(end?.low ?? '0');
      const high = BigInt(end?.high ?? '0');
      position.set(partition, low - 1n);
      consumer.seek({ topic, partition, offset: low.toString() });
      if (high <= low) return;
      consumer.resume([{ topic, partitions: [partition] }]);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`dedup partition ${partition} was not restored within ${deps.timeoutMs} ms`)),
          deps.timeoutMs,
        );
        const done = (): void => {
          clearTimeout(timer);
          resolve();
        };
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(new Error('dedup restore aborted'));
        });
        waiters.set(partition, [...(waiters.get(partition) ?? []), { target: high, resolve: done }]);
        advance(partition, position.get(partition) ?? -1n);
      });
      // Caught up. From here on this instance is the partition's only writer and keeps the store itself.
      consumer.pause([{ topic, partitions: [partition] }]);
      deps.logger.info({ topic, partition, entries: store.size() }, 'dedup partition restored');
    },

    release(partition) {
      owned.delete(partition);
      store.dropPartition(partition);
      consumer?.pause([{ topic, partitions: [partition] }]);
    },

    async stop() {
      await consumer?.disconnect();
    },
  };
}
