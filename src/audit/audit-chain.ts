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
import avro from 'avsc';
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

// avsc encodes the chain fields, as it encodes the rest of the record.
const LONG = avro.Type.forSchema('long');
const STRING = avro.Type.forSchema('string');
const avroLong = (value: number): Buffer => LONG.toBuffer(value);

/** Avro's string: its UTF-8 length as a long, then the bytes. */
export const avroString = (value: string): Buffer => STRING.toBuffer(value);

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
  // Every hash the writer appends is 64 hex digits; anything else is measured (and will not verify).
  const field = recordHash.length === 64 ? HEX_HASH_FIELD : avroString(recordHash).length;
  return value.subarray(headerBytes, value.length - field);
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
): { values: Buffer[]; hashes: Buffer[]; head: ChainHead } {
  let { seq, hash } = head;
  const sealed: Buffer[] = [];
  const hashes: Buffer[] = [];
  // The chain's name is the same for every record: encoded once. Each sealed value is written in
  // one buffer (the record, the link, the hash), and the hash is taken over a view of it.
  const name = avroString(chain);
  for (const value of values) {
    seq += 1;
    const seqBytes = avroLong(seq);
    const out = Buffer.allocUnsafe(value.length + name.length + seqBytes.length + 2 * HEX_HASH_FIELD);
    let at = value.copy(out, 0);
    at += name.copy(out, at);
    at += seqBytes.copy(out, at);
    at = writeHexHash(out, at, hash);
    const digest = leafHash(out.subarray(headerBytes, at));
    hash = digest.toString('hex');
    writeHexHash(out, at, hash);
    sealed.push(out);
    hashes.push(digest);
  }
  return { values: sealed, hashes, head: { seq, hash } };
}

/** A 64-digit hex hash as an Avro string: its length (64, a two-byte varint), then the digits. */
const HEX_LENGTH = avroLong(64);
const HEX_HASH_FIELD = HEX_LENGTH.length + 64;

function writeHexHash(out: Buffer, at: number, hex: string): number {
  if (hex.length !== 64) throw new RangeError(`a chain hash has 64 hex digits, not ${hex.length}`);
  HEX_LENGTH.copy(out, at);
  out.write(hex, at + HEX_LENGTH.length, 'latin1');
  return at + HEX_HASH_FIELD;
}
