/**
 * The hash chain of audit records. One chain per input topic-partition: its
 * single writer is the partition's fenced owner, so the chain never forks.
 * Each record ends with four fields (audit schema v4): `chain`, `chainSeq`
 * (contiguous; not the Kafka offset, since transaction markers take offset
 * slots), `prevHash` (the previous record's `recordHash`) and `recordHash`:
 * the RFC 6962 leaf hash of the record's Avro encoding up to and including
 * `prevHash`. Avro's binary encoding under the writer schema is canonical (one
 * value, one encoding), so the verifier hashes the bytes it reads, and a
 * warehouse that kept the decoded row re-encodes it under the same schema.
 * Editing, dropping or re-ordering any record breaks every link after it.
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

/** `<topic>/<partition>`: the input partition whose owner writes the chain. */
export function chainOf(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

/** Avro's long: zigzag, then a base-128 varint (arithmetic, not bit operators: past 2^31 they wrap). */
function avroLong(value: number): Buffer {
  let n = value >= 0 ? value * 2 : -value * 2 - 1;
  const bytes: number[] = [];
  while (n >= 0x80) {
    bytes.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

/** Avro's string: its UTF-8 length as a long, then the bytes. */
export function avroString(value: string): Buffer {
  const utf8 = Buffer.from(value, 'utf8');
  return Buffer.concat([avroLong(utf8.length), utf8]);
}

/** The encoding of chain, chainSeq and prevHash: what follows a record's own fields, inside its hash. */
export function chainLink(chain: string, seq: number, prevHash: string): Buffer {
  return Buffer.concat([avroString(chain), avroLong(seq), avroString(prevHash)]);
}

/** recordHash (hex) of a record's hashed bytes: its Avro body up to and including prevHash. */
export function hashRecord(hashed: Buffer): string {
  return leafHash(hashed).toString('hex');
}

/** Of a sealed record's value: the bytes its recordHash covers (after the wire header, before recordHash). */
export function hashedBytes(value: Buffer, headerBytes: number, recordHash: string): Buffer {
  return value.subarray(headerBytes, value.length - avroString(recordHash).length);
}

/**
 * Chains record values (a wire header of `headerBytes`, then the Avro encoding of every field
 * before the chain fields) after `head`, in order: each gets the next sequence, the previous hash
 * and its own appended. Returns the sealed values, their hashes and the new head.
 */
export function extendChain(
  chain: string,
  head: ChainHead,
  values: readonly Buffer[],
  headerBytes: number,
): { values: Buffer[]; hashes: string[]; head: ChainHead } {
  let { seq, hash } = head;
  const sealed: Buffer[] = [];
  const hashes: string[] = [];
  for (const value of values) {
    seq += 1;
    const link = chainLink(chain, seq, hash);
    hash = hashRecord(Buffer.concat([value.subarray(headerBytes), link]));
    sealed.push(Buffer.concat([value, link, avroString(hash)]));
    hashes.push(hash);
  }
  return { values: sealed, hashes, head: { seq, hash } };
}
