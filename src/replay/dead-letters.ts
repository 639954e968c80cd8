/**
 * Dead letters as `dlq replay` sees them: parsed from the DLQ record's headers
 * (output-records.ts DLQ_HEADERS), selected by the operator's filters, and
 * turned back into the input record they were, with the replay headers.
 * Pure: no I/O.
 */
import { DLQ_HEADERS, REPLAY_HEADERS } from '../output/output-records.ts';
import type { ReadRecord } from './read-topic.ts';

export interface DeadLetter {
  /** `<dlq topic>/<partition>/<offset>`: names the dead letter in the ledger and the replay header. */
  ref: string;
  partition: number;
  offset: bigint;
  code: string;
  route: string | undefined;
  failedAtMs: number | undefined;
  sourceTopic: string | undefined;
  sourcePartition: number | undefined;
  key: Buffer | null;
  value: Buffer | null;
  /** The producer's own headers, without the ones the DLQ added. */
  originalHeaders: Record<string, Buffer>;
  /** Too big for the DLQ topic, it was written without its value (still in the input at its offset). */
  valueOmitted: boolean;
}

export interface ReplayFilter {
  codes?: readonly string[];
  routes?: readonly string[];
  sinceMs?: number;
  untilMs?: number;
  /** DLQ partition, and an offset range within it (inclusive). */
  partition?: number;
  fromOffset?: bigint;
  toOffset?: bigint;
}

const DLQ_HEADER_NAMES: ReadonlySet<string> = new Set(Object.values(DLQ_HEADERS));
const REPLAY_HEADER_NAMES: ReadonlySet<string> = new Set(Object.values(REPLAY_HEADERS));

function deadLetterRef(topic: string, partition: number, offset: bigint | string): string {
  return `${topic}/${partition}/${offset}`;
}

export function parseDeadLetter(topic: string, record: ReadRecord): DeadLetter {
  const headers = record.headers ?? {};
  const text = (name: string): string | undefined => {
    const value = headers[name];
    const one = Array.isArray(value) ? value[0] : value;
    return one === undefined ? undefined : Buffer.isBuffer(one) ? one.toString('utf8') : String(one);
  };
  const originalHeaders: Record<string, Buffer> = {};
  for (const [name, value] of Object.entries(headers)) {
    // A dead letter of a replayed record carries the earlier replay's headers: the new replay sets its own.
    if (DLQ_HEADER_NAMES.has(name) || REPLAY_HEADER_NAMES.has(name) || value === undefined) continue;
    const one = Array.isArray(value) ? value[0] : value;
    if (one !== undefined) originalHeaders[name] = Buffer.isBuffer(one) ? one : Buffer.from(String(one));
  }
  const failedAt = Date.parse(text(DLQ_HEADERS.failedAt) ?? '');
  const sourcePartition = Number(text(DLQ_HEADERS.partition));
  return {
    ref: deadLetterRef(topic, record.partition, record.offset),
    partition: record.partition,
    offset: BigInt(record.offset),
    code: text(DLQ_HEADERS.code) ?? 'UNKNOWN',
    route: text(DLQ_HEADERS.route),
    failedAtMs: Number.isNaN(failedAt) ? undefined : failedAt,
    sourceTopic: text(DLQ_HEADERS.topic),
    sourcePartition: Number.isInteger(sourcePartition) ? sourcePartition : undefined,
    key: record.key,
    value: record.value,
    originalHeaders,
    valueOmitted: text(DLQ_HEADERS.valueOmitted) !== undefined,
  };
}

export function selects(filter: ReplayFilter, letter: DeadLetter): boolean {
  if (filter.codes && filter.codes.length > 0 && !filter.codes.includes(letter.code)) return false;
  if (filter.routes && filter.routes.length > 0 && !filter.routes.includes(letter.route ?? '')) return false;
  if (filter.sinceMs !== undefined && (letter.failedAtMs ?? -Infinity) < filter.sinceMs) return false;
  if (filter.untilMs !== undefined && (letter.failedAtMs ?? Infinity) > filter.untilMs) return false;
  if (filter.partition !== undefined && letter.partition !== filter.partition) return false;
  if (filter.fromOffset !== undefined && letter.offset < filter.fromOffset) return false;
  if (filter.toOffset !== undefined && letter.offset > filter.toOffset) return false;
  return true;
}

/** The input record a dead letter came from, as it is re-published: same key, value and partition. */
export function replayMessage(letter: DeadLetter): {
  topic: string;
  partition: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
} {
  if (letter.sourceTopic === undefined || letter.sourcePartition === undefined) {
    throw new Error(`dead letter ${letter.ref} has no ${DLQ_HEADERS.topic}/${DLQ_HEADERS.partition} headers`);
  }
  return {
    topic: letter.sourceTopic,
    // The partition it was read from: the key's partition then, whatever the topic's count is now.
    partition: letter.sourcePartition,
    key: letter.key,
    value: letter.value,
    headers: {
      ...letter.originalHeaders,
      [REPLAY_HEADERS.of]: Buffer.from(letter.ref),
      [REPLAY_HEADERS.code]: Buffer.from(letter.code),
    },
  };
}

/** It says where it came from, and it holds the bytes to put back. */
export function isReplayable(letter: DeadLetter): boolean {
  return letter.sourceTopic !== undefined && letter.sourcePartition !== undefined && !letter.valueOmitted;
}
