/**
 * Reads a topic from the beginning to its current end (read_committed): the
 * DLQ and its replay ledger for `dlq replay`, and the demo summary, tests and
 * harnesses. Decoding is left to the caller.
 * Progress is tracked from kafkajs's batch events, which also fire for
 * batches that hold only transaction markers or aborted records.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';

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
): Promise<TopicContents> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    // kafkajs lists offsets READ_COMMITTED: these are last stable offsets.
    const offsets = await admin.fetchTopicOffsets(topic);
    ends = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
  const records: ReadRecord[] = [];
  const highWatermarks = new Map<number, bigint>([...ends].map(([p]) => [p, 0n]));
  const remaining = new Set([...ends].filter(([, end]) => end > 0n).map(([p]) => p));
  if (remaining.size === 0) return { records, stableEnds: ends, highWatermarks };

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
  return { records, stableEnds: ends, highWatermarks };
}

export async function readTopicToEnd(kafka: Kafka, topic: string, timeoutMs = 60_000): Promise<ReadRecord[]> {
  return (await readTopic(kafka, topic, timeoutMs)).records;
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
