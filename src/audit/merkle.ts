/**
 * RFC 6962 (Certificate Transparency) hashing, section 2.1: a leaf is
 * SHA-256(0x00 ‖ data), an inner node SHA-256(0x01 ‖ left ‖ right), and the
 * tree of n leaves splits at the largest power of two below n. The prefixes
 * keep a leaf from ever passing for a node (a second-preimage attack).
 */
import { createHash, hash } from 'node:crypto';

const LEAF = Buffer.from([0x00]);
const NODE = Buffer.from([0x01]);

// The one-shot hash(): a Hash object per call costs more than the copy of a few hundred bytes.
export function leafHash(data: Buffer | string): Buffer {
  return hash('sha256', Buffer.concat([LEAF, typeof data === 'string' ? Buffer.from(data) : data]), 'buffer');
}

export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return hash('sha256', Buffer.concat([NODE, left, right]), 'buffer');
}

/** MTH(D[n]) over leaf hashes already computed; the empty tree is SHA-256 of nothing. */
export function merkleRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest();
  if (leaves.length === 1) return leaves[0] as Buffer;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(merkleRoot(leaves.slice(0, k)), merkleRoot(leaves.slice(k)));
}

/**
 * A Merkle tree grown one leaf at a time, held as its compact range: the roots
 * of the perfect subtrees that n decomposes into, largest first (popcount(n)
 * hashes). That is what a chain's owner keeps between checkpoints, and what
 * survives a change of owner in the committed offset's metadata: the next
 * owner continues the span's root without the span's records. `frontier` (the
 * range of `size` leaves) is grown in place: one per record, no copy each time.
 */
export function appendLeaf(frontier: Buffer[], size: number, leaf: Buffer): void {
  let hash = leaf;
  for (let n = size; n & 1; n = Math.floor(n / 2)) hash = nodeHash(frontier.pop() as Buffer, hash);
  frontier.push(hash);
}

/** The RFC 6962 root of the tree a compact range stands for (equal to merkleRoot of its leaves). */
export function frontierRoot(frontier: readonly Buffer[]): Buffer {
  if (frontier.length === 0) return createHash('sha256').digest();
  let hash = frontier.at(-1) as Buffer;
  for (let i = frontier.length - 2; i >= 0; i--) hash = nodeHash(frontier[i] as Buffer, hash);
  return hash;
}
