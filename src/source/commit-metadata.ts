/**
 * The committed input offset's metadata: the records done past the offset
 * (done-offsets.ts) and the partition's audit chain state (audit/chain-writer.ts),
 * written in the same transaction as the records that produced them, so the
 * next owner resumes both exactly where the last committed transaction left
 * them. Formats:
 * - `cx1:<bitmap>`: done offsets only (before audit chains, and a chain not begun);
 * - `cx2:<bitmap>~<chainSeq>~<head hash>~<span first seq>~<span frontier>`: base64url
 *   fields ('~' is outside its alphabet); the frontier is the span's compact Merkle
 *   range, its hashes concatenated (at most 13 of 32 bytes: well within the broker's
 *   4096-byte offset.metadata.max.bytes with a full bitmap of about 1,400 characters).
 */
import { chainStateAt, type ChainState } from '../audit/chain-writer.ts';
import { decodeDoneOffsets, DONE_OFFSETS_PREFIX } from './done-offsets.ts';

const CHAIN_PREFIX = 'cx2:';
const HASH_BYTES = 32;

/** The metadata to commit: `doneOffsets` as encodeDoneOffsets wrote it (or null), with the chain state. */
export function encodeCommitMetadata(doneOffsets: string | null, chain: ChainState): string | null {
  if (chain.head.seq < 0 && chain.frontier.length === 0) return doneOffsets;
  const bitmap = doneOffsets === null ? '' : doneOffsets.slice(DONE_OFFSETS_PREFIX.length);
  const head = Buffer.from(chain.head.hash, 'hex').toString('base64url');
  const frontier = Buffer.concat(chain.frontier).toString('base64url');
  return `${CHAIN_PREFIX}${bitmap}~${chain.head.seq}~${head}~${chain.spanFirst}~${frontier}`;
}

export type DecodedCommitMetadata =
  { ok: true; done: Set<bigint>; chain: ChainState } | { ok: false; reason: string };

/** Reads what encodeCommitMetadata wrote; another tool's metadata is reported, not thrown. */
export function decodeCommitMetadata(
  committed: bigint,
  metadata: string | null | undefined,
): DecodedCommitMetadata {
  if (metadata === null || metadata === undefined || !metadata.startsWith(CHAIN_PREFIX)) {
    const done = decodeDoneOffsets(committed, metadata);
    return done.ok ? { ok: true, done: done.done, chain: chainStateAt() } : done;
  }
  const parts = metadata.slice(CHAIN_PREFIX.length).split('~');
  const [bitmap, seqText, headText, firstText, frontierText] = parts;
  const seq = Number(seqText);
  const spanFirst = Number(firstText);
  const head = Buffer.from(headText ?? '', 'base64url');
  const frontier = Buffer.from(frontierText ?? '', 'base64url');
  const wellFormed =
    parts.length === 5 &&
    /^(0|[1-9]\d*)$/.test(seqText ?? '') &&
    /^(0|[1-9]\d*)$/.test(firstText ?? '') &&
    spanFirst <= seq + 1 &&
    /^[A-Za-z0-9_-]*$/.test(`${headText}${frontierText}`) &&
    head.length === HASH_BYTES &&
    frontier.length % HASH_BYTES === 0;
  if (!wellFormed) return { ok: false, reason: 'the audit chain part of the offset metadata is malformed' };
  const done = decodeDoneOffsets(committed, bitmap === '' ? null : `${DONE_OFFSETS_PREFIX}${bitmap}`);
  if (!done.ok) return done;
  const hashes: Buffer[] = [];
  for (let at = 0; at < frontier.length; at += HASH_BYTES)
    hashes.push(frontier.subarray(at, at + HASH_BYTES));
  return {
    ok: true,
    done: done.done,
    chain: {
      head: { seq, hash: head.toString('hex') },
      spanFirst,
      frontier: hashes,
      spanStartedAt: undefined,
    },
  };
}
