/**
 * Records that were finished out of order, carried in the metadata of the
 * committed input offset (the idea of Confluent's Parallel Consumer).
 *
 * The committed offset is a low watermark: the first record of the partition
 * that is not finished. Records past it may be finished already (other keys
 * went on while the head record waited on a retry); their outputs are in the
 * same transaction as the offset, so the next owner must not process them
 * again. Their offsets travel in the TxnOffsetCommit metadata string as a
 * bitmap: bit i (least significant bit first) says offset `committed + 1 + i`
 * is done. The bitmap spans at most DONE_OFFSETS_SPAN offsets, which keeps the
 * string under 1,400 characters, well within the broker's
 * `offset.metadata.max.bytes` (4096 by default).
 */

export const DONE_OFFSETS_PREFIX = 'cx1:';

/** How far past the low watermark a finished record may be committed out of order. */
export const DONE_OFFSETS_SPAN = 8192;

/** Encodes the done offsets (each in `(committed, committed + SPAN]`) for the commit; null when none. */
export function encodeDoneOffsets(committed: bigint, done: Iterable<bigint>): string | null {
  const bytes = new Uint8Array(DONE_OFFSETS_SPAN / 8);
  let used = 0;
  for (const offset of done) {
    const bit = Number(offset - committed - 1n);
    if (bit < 0 || bit >= DONE_OFFSETS_SPAN) {
      throw new RangeError(
        `offset ${offset} is outside the done-offsets span of committed offset ${committed}`,
      );
    }
    const index = bit >> 3;
    bytes[index] = (bytes[index] ?? 0) | (1 << (bit & 7));
    used = Math.max(used, index + 1);
  }
  if (used === 0) return null;
  return DONE_OFFSETS_PREFIX + Buffer.from(bytes.subarray(0, used)).toString('base64url');
}

export type DecodedDoneOffsets = { ok: true; done: Set<bigint> } | { ok: false; reason: string };

/**
 * Reads what `encodeDoneOffsets` wrote. Empty metadata is an empty set; metadata
 * another tool wrote is reported (not thrown) so the caller can warn and go on:
 * the dedup store still catches repeated effects of those records.
 */
export function decodeDoneOffsets(
  committed: bigint,
  metadata: string | null | undefined,
): DecodedDoneOffsets {
  const done = new Set<bigint>();
  if (metadata === null || metadata === undefined || metadata === '') return { ok: true, done };
  if (!metadata.startsWith(DONE_OFFSETS_PREFIX)) {
    return {
      ok: false,
      reason: `offset metadata was not written by this connector ("${metadata.slice(0, 40)}")`,
    };
  }
  const body = metadata.slice(DONE_OFFSETS_PREFIX.length);
  if (!/^[A-Za-z0-9_-]*$/.test(body)) return { ok: false, reason: 'offset metadata is not base64url' };
  const bytes = Buffer.from(body, 'base64url');
  if (bytes.length > DONE_OFFSETS_SPAN / 8) {
    return {
      ok: false,
      reason: `offset metadata spans ${bytes.length * 8} offsets, over ${DONE_OFFSETS_SPAN}`,
    };
  }
  bytes.forEach((byte, index) => {
    for (let bit = 0; bit < 8; bit++) {
      if (byte & (1 << bit)) done.add(committed + 1n + BigInt(index * 8 + bit));
    }
  });
  return { ok: true, done };
}
