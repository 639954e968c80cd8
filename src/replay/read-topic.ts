/**
 * Reads a topic from the beginning to its current end (read_committed): the
 * DLQ and its replay ledger for `dlq replay`, and the demo summary, tests and
 * harnesses. Decoding is left to the caller.
 * Progress is tracked from kafkajs's batch events, which also fire for
 * batches that hold only transaction markers or aborted records.
 *
 * "Its end" is the end as of the call: every record written before it that
 * is committed. A transaction still open pins the read_committed end (the last
 * stable offset) below the high watermark, and what was committed after it
 * would be left out of a read that stopped there (a crashed writer's
 * transaction stays open until the broker aborts it, kafka.transactionTimeoutMs
 * plus its cleanup interval). So the read waits, up to `openTransactionWaitMs`,
 * until the last stable offset has reached the high watermark seen at the
 * start; a partition still pinned then is returned in `pinned`, never passed
 * off as read to its end.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';

export interface ReadRecord {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: KafkaMessage['headers'];
}

export interface TopicContents {
  records: ReadRecord[];
  /** Per partition: the read_committed end (last stable offset) when reading started. */
  stableEnds: Map<number, bigint>;
  /** Per partition: the highest high watermark the fetches reported. */
  highWatermarks: Map<number, bigint>;
  /** Partitions an open transaction still pinned after the wait: read only to `stable`, below `high`. */
  pinned: { partition: number; stable: bigint; high: bigint }[];
}

/**
 * `groupPrefix`: the throwaway consumer group is `<groupPrefix>.reader-<uuid>`, so a principal with a
 * prefixed READ on `<kafka.groupId>.` may use it.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  timeoutMs = 60_000,
  groupPrefix = 'cxone',
  openTransactionWaitMs = 30_000,
  onProgress?: (read: bigint, total: bigint) => void,
): Promise<TopicContents> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  let pinned: TopicContents['pinned'];
  try {
    ({ ends, pinned } = await settledEnds(admin, topic, openTransactionWaitMs));
  } finally {
    await admin.disconnect();
  }
  const records: ReadRecord[] = [];
  const highWatermarks = new Map<number, bigint>([...ends].map(([p]) => [p, 0n]));
  const remaining = new Set([...ends].filter(([, end]) => end > 0n).map(([p]) => p));
  if (remaining.size === 0) return { records, stableEnds: ends, highWatermarks, pinned };

  // Offsets, not records: close enough for a progress bar (markers and a retention-deleted head count).
  const total = [...ends.values()].reduce((a, b) => a + b, 0n);
  const reached = new Map<number, bigint>();
  const groupId = `${groupPrefix}.reader-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `reading ${topic} to its end took over ${timeoutMs} ms (partitions left: ${[...remaining].join(',')})`,
            ),
          ),
        timeoutMs,
      );
      consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
        const { partition, lastOffset, highWatermark } = event.payload as {
          partition: number;
          lastOffset: string;
          highWatermark: string;
        };
        const hw = BigInt(highWatermark);
        if (hw > (highWatermarks.get(partition) ?? 0n)) highWatermarks.set(partition, hw);
        if (BigInt(lastOffset) + 1n >= (ends.get(partition) ?? 0n)) remaining.delete(partition);
        if (onProgress) {
          reached.set(partition, BigInt(lastOffset) + 1n);
          let read = 0n;
          for (const [p, end] of ends) read += (reached.get(p) ?? 0n) < end ? (reached.get(p) ?? 0n) : end;
          onProgress(read, total);
        }
        if (remaining.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      });
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              records.push({
                partition: batch.partition,
                offset: m.offset,
                key: m.key,
                value: m.value,
                headers: m.headers,
              });
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
    // It committed nothing, but would stay listed in the cluster's groups until it expired.
    await deleteGroup(kafka, groupId);
  }
  return { records, stableEnds: ends, highWatermarks, pinned };
}

/** The last stable offsets once they reach the high watermarks of the start, or the partitions still pinned. */
async function settledEnds(
  admin: Admin,
  topic: string,
  waitMs: number,
): Promise<{ ends: Map<number, bigint>; pinned: TopicContents['pinned'] }> {
  // 0: READ_UNCOMMITTED, whose end is the high watermark (our kafkajs fork).
  const highs = new Map(
    (await admin.fetchTopicOffsets(topic, { isolationLevel: 0 })).map((o) => [o.partition, BigInt(o.high)]),
  );
  const deadline = Date.now() + waitMs;
  for (;;) {
    // kafkajs lists offsets READ_COMMITTED by default: these are last stable offsets.
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
    const pinned = [...ends]
      .filter(([partition, stable]) => stable < (highs.get(partition) ?? 0n))
      .map(([partition, stable]) => ({ partition, stable, high: highs.get(partition) ?? 0n }));
    if (pinned.length === 0 || Date.now() >= deadline) return { ends, pinned };
    await sleep(Math.min(200, Math.max(1, deadline - Date.now())));
  }
}

/** Every committed record to the end; throws when an open transaction still pins a partition after the wait. */
export async function readTopicToEnd(
  kafka: Kafka,
  topic: string,
  timeoutMs = 60_000,
  openTransactionWaitMs = 30_000,
): Promise<ReadRecord[]> {
  const contents = await readTopic(kafka, topic, timeoutMs, 'cxone', openTransactionWaitMs);
  if (contents.pinned.length > 0) throw new Error(pinnedMessage(topic, contents.pinned));
  return contents.records;
}

export function pinnedMessage(topic: string, pinned: TopicContents['pinned']): string {
  const where = pinned
    .map((p) => `partition ${p.partition} is readable to offset ${p.stable} of ${p.high}`)
    .join('; ');
  return `an open transaction pins the end of ${topic}: ${where}. A crashed writer's transaction is aborted by the broker after its transaction.timeout.ms; read again after that`;
}

async function deleteGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  } catch {
    // Best effort: a group left behind expires by itself.
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
