/**
 * The records that flow between the stages: what the source hands the record
 * processor, and what the processor hands back for the committer. A leaf
 * module: source/, pipeline/ and output/ all import it, and it imports nothing
 * of theirs, so no stage depends on another stage's implementation for them.
 */

export interface InputRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, unknown>;
  /** The Kafka record's timestamp, epoch millis (the event's age when the route maps no timestamp). */
  timestampMs?: number;
}

export interface OutputMessage {
  key: Buffer | string | null;
  value: Buffer | null;
  headers?: Record<string, string | Buffer>;
}

/** What the dedup store remembers of an idempotency key. */
export interface DedupEntry {
  createdAtMs: number;
  outcome: string;
  /** 0 for the key's first effect; n after n fresh attempts following REJECTED or FAILED. */
  attempt?: number;
}

export interface RecordOutputs {
  results: OutputMessage[];
  audit: OutputMessage[];
  dlq: OutputMessage[];
  /** Entries for the compacted dedup topic (written to the input's partition number). */
  dedup: OutputMessage[];
  /**
   * The same entries for the in-memory dedup store. The partition worker applies
   * them when the record finishes, and only while it still owns the partition:
   * work that is never committed must not teach the store anything.
   */
  remember: { key: string; entry: DedupEntry }[];
}

export function emptyOutputs(): RecordOutputs {
  return { results: [], audit: [], dlq: [], dedup: [], remember: [] };
}

/**
 * One input record → its outputs. Permanent failures come back as DLQ
 * messages; a retryable failure is thrown, so the caller leaves the record
 * uncommitted and tries it again.
 */
export type RecordProcessor = (record: InputRecord, signal?: AbortSignal) => Promise<RecordOutputs>;
