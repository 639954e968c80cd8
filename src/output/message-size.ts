/**
 * Keeping what a transaction writes under each output topic's
 * `max.message.bytes`, so an output the broker would refuse can never wedge a
 * partition (a refused transaction is retried forever, with the same records):
 * - one record over the limit is trimmed where it is built (record-processor:
 *   a dead letter keeps its headers and loses its value, which stays in the
 *   input topic; a result loses its data-action outputs), and says so;
 * - a transaction's records for one topic-partition are sent in as many
 *   record batches as it takes (kafkajs sends one batch per partition and
 *   request, and the broker checks the whole batch against the limit).
 * The limits are read at start (topic-setup.ts); the start fails when one is
 * too small for a single audit record.
 */
import type { Message, TopicMessages } from 'kafkajs';

/** The smallest max.message.bytes an output topic may have: room for any audit or result record. */
export const MIN_OUTPUT_MESSAGE_BYTES = 16_384;

/** Kafka's record batch header, and a generous bound on one record's own framing. */
const BATCH_OVERHEAD_BYTES = 61;
const RECORD_OVERHEAD_BYTES = 40;

export function messageBytes(message: Pick<Message, 'key' | 'value' | 'headers'>): number {
  let bytes = RECORD_OVERHEAD_BYTES + byteLength(message.key) + byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    bytes += Buffer.byteLength(name) + 8;
    for (const one of Array.isArray(value) ? value : [value]) bytes += byteLength(one);
  }
  return bytes;
}

/** Whether one record fits a topic whose limit is `limitBytes`, as the only record of its batch. */
export function fits(message: Pick<Message, 'key' | 'value' | 'headers'>, limitBytes: number): boolean {
  return BATCH_OVERHEAD_BYTES + messageBytes(message) <= limitBytes;
}

/**
 * The sends of one transaction: usually one, with everything; more when a
 * topic's records would make a batch over its limit. Order within a topic is
 * kept (sends go out one after another).
 */
export function splitBySize(
  topicMessages: readonly TopicMessages[],
  limits: Readonly<Record<string, number>>,
): TopicMessages[][] {
  const needsSplit = topicMessages.some((t) => {
    const limit = limits[t.topic];
    return limit !== undefined && BATCH_OVERHEAD_BYTES + total(t.messages) > limit;
  });
  // Nothing to write: no send at all (a transaction may hold only offsets).
  if (topicMessages.length === 0) return [];
  if (!needsSplit) return [topicMessages.slice()];
  const sends: TopicMessages[][] = [];
  for (const { topic, messages } of topicMessages) {
    const limit = limits[topic] ?? Number.POSITIVE_INFINITY;
    let chunk: Message[] = [];
    let bytes = BATCH_OVERHEAD_BYTES;
    for (const message of messages) {
      const size = messageBytes(message);
      if (chunk.length > 0 && bytes + size > limit) {
        sends.push([{ topic, messages: chunk }]);
        chunk = [];
        bytes = BATCH_OVERHEAD_BYTES;
      }
      chunk.push(message);
      bytes += size;
    }
    if (chunk.length > 0) sends.push([{ topic, messages: chunk }]);
  }
  return sends;
}

function total(messages: readonly Message[]): number {
  let bytes = 0;
  for (const m of messages) bytes += messageBytes(m);
  return bytes;
}

function byteLength(value: Buffer | string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}
