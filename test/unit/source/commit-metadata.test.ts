/**
 * The committed offset's metadata carries the done offsets and the audit
 * chain's state together: any state round-trips, the older format still
 * reads (a chain not begun), the broker's size limit holds at the worst case,
 * and a malformed chain part is reported, never trusted.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { chainStateAt, MAX_CHECKPOINT_SPAN } from '../../../src/audit/chain-writer.ts';
import { decodeCommitMetadata, encodeCommitMetadata } from '../../../src/source/commit-metadata.ts';
import { DONE_OFFSETS_SPAN, encodeDoneOffsets } from '../../../src/source/done-offsets.ts';

const hash = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b));

describe('commit metadata', () => {
  it('done offsets and any chain state round-trip', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 1n << 40n }),
        fc.uniqueArray(fc.integer({ min: 1, max: DONE_OFFSETS_SPAN }), { maxLength: 40 }),
        fc.nat({ max: 2 ** 40 }),
        fc.nat({ max: 20 }),
        fc.array(hash, { maxLength: 13 }),
        hash,
        (committed, bits, seq, back, frontier, head) => {
          const done = bits.map((b) => committed + BigInt(b));
          const chain = {
            head: { seq, hash: head.toString('hex') },
            spanFirst: Math.max(0, seq + 1 - back),
            frontier,
            spanStartedAt: undefined,
          };
          const metadata = encodeCommitMetadata(encodeDoneOffsets(committed, done), chain);
          const decoded = decodeCommitMetadata(committed, metadata);
          assert.ok(decoded.ok, metadata ?? 'null');
          assert.deepEqual([...decoded.done].sort(), [...done].sort());
          assert.deepEqual(decoded.chain, chain);
        },
      ),
    );
  });

  it('a chain not begun writes the older format; the older format reads as a chain not begun', () => {
    const doneOnly = encodeDoneOffsets(10n, [12n]);
    assert.equal(encodeCommitMetadata(doneOnly, chainStateAt()), doneOnly);
    assert.equal(encodeCommitMetadata(null, chainStateAt()), null);
    const decoded = decodeCommitMetadata(10n, doneOnly);
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.chain, chainStateAt());
    assert.deepEqual([...decoded.done], [12n]);
  });

  it("the worst case stays within the broker's offset.metadata.max.bytes (4096)", () => {
    const every = Array.from({ length: DONE_OFFSETS_SPAN }, (_, i) => 100n + BigInt(i + 1));
    const frontierSize = Math.floor(Math.log2(MAX_CHECKPOINT_SPAN)) + 1;
    const chain = {
      head: { seq: Number.MAX_SAFE_INTEGER - 1, hash: randomBytes(32).toString('hex') },
      spanFirst: Number.MAX_SAFE_INTEGER - MAX_CHECKPOINT_SPAN,
      frontier: Array.from({ length: frontierSize }, () => randomBytes(32)),
      spanStartedAt: undefined,
    };
    const metadata = encodeCommitMetadata(encodeDoneOffsets(100n, every), chain) ?? '';
    assert.ok(Buffer.byteLength(metadata) < 4096, `${Buffer.byteLength(metadata)} bytes`);
  });

  it('a malformed chain part is reported, not trusted', () => {
    const good = encodeCommitMetadata(null, {
      head: { seq: 4, hash: 'ab'.repeat(32) },
      spanFirst: 3,
      frontier: [randomBytes(32)],
      spanStartedAt: undefined,
    }) as string;
    const [prefix, bitmap, seq, head = '', first, frontier = ''] = good.split(/[:~]/);
    for (const bad of [
      `${prefix}:${bitmap}~${seq}~${head}~${first}`,
      `${prefix}:${bitmap}~-1~${head}~${first}~${frontier}`,
      `${prefix}:${bitmap}~${seq}~${head.slice(2)}~${first}~${frontier}`,
      `${prefix}:${bitmap}~${seq}~${head}~9~${frontier}`,
      `${prefix}:${bitmap}~${seq}~${head}~${first}~${frontier.slice(3)}`,
      `${prefix}:${bitmap}~${seq}~${head}~${first}~${frontier}!`,
    ]) {
      const decoded = decodeCommitMetadata(0n, bad);
      assert.equal(decoded.ok, false, bad);
    }
  });
});
