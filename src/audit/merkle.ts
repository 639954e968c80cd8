/**
 * RFC 6962 (Certificate Transparency) hashing, section 2.1: a leaf is
 * SHA-256(0x00 ‖ data), an inner node SHA-256(0x01 ‖ left ‖ right), and the
 * tree of n leaves splits at the largest power of two below n. The prefixes
 * keep a leaf from ever passing for a node (a second-preimage attack).
 */
import { createHash } from 'node:crypto';

const LEAF = Buffer.from([0x00]);
const NODE = Buffer.from([0x01]);

export function leafHash(data: Buffer | string): Buffer {
  return createHash('sha256').update(LEAF).update(data).digest();
}

export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(NODE).update(left).update(right).digest();
}

/** MTH(D[n]) over leaf hashes already computed; the empty tree is SHA-256 of nothing. */
export function merkleRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest();
  if (leaves.length === 1) return leaves[0] as Buffer;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(merkleRoot(leaves.slice(0, k)), merkleRoot(leaves.slice(k)));
}
