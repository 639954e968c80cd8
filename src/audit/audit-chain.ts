/**
 * The hash chain of audit records. One chain per input topic-partition: its
 * single writer is the partition's fenced owner, so the chain never forks.
 * Each record carries `chainSeq` (contiguous; not the Kafka offset, since
 * transaction markers take offset slots), `prevHash` (the previous record's
 * `recordHash`) and `recordHash`: the RFC 6962 leaf hash of the record's
 * canonical encoding, `prevHash` included, so editing, dropping or re-ordering
 * any record breaks every link after it.
 */
import { leafHash } from './merkle.ts';

/** The head a chain starts from: sequence -1, and a hash of 64 zeros as the first record's prevHash. */
export const GENESIS: ChainHead = { seq: -1, hash: '0'.repeat(64) };

export interface ChainHead {
  /** The last record's chainSeq (-1 before the first). */
  seq: number;
  /** The last record's recordHash, hex. */
  hash: string;
}

export interface ChainFields {
  chain: string;
  chainSeq: number;
  prevHash: string;
  recordHash: string;
}

/** `<topic>/<partition>`: the input partition whose owner writes the chain. */
export function chainOf(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

/**
 * A deterministic text of a value: object keys sorted, no whitespace, numbers as JSON prints them.
 * Avro gives the verifier back exactly the values written (long as number, null as null).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** recordHash of a record whose chain fields are set: over everything but recordHash itself. */
export function hashRecord(record: Record<string, unknown>): string {
  const { recordHash: _recordHash, ...rest } = record;
  return leafHash(canonicalJson(rest)).toString('hex');
}

/**
 * Chains `records` after `head`, in order: each gets the next chainSeq, the previous hash and
 * its own. Returns the records with their chain fields and the new head (to commit with them).
 */
export function extendChain<T extends Record<string, unknown>>(
  chain: string,
  head: ChainHead,
  records: readonly T[],
): { records: (T & ChainFields)[]; head: ChainHead } {
  let { seq, hash } = head;
  const out: (T & ChainFields)[] = [];
  for (const record of records) {
    seq += 1;
    const linked = { ...record, chain, chainSeq: seq, prevHash: hash, recordHash: '' };
    hash = hashRecord(linked);
    out.push({ ...linked, recordHash: hash });
  }
  return { records: out, head: { seq, hash } };
}
