import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  DONE_OFFSETS_PREFIX,
  DONE_OFFSETS_SPAN,
  decodeDoneOffsets,
  encodeDoneOffsets,
} from '../../../src/source/done-offsets.ts';

describe('done offsets in the commit metadata', () => {
  it('round-trips any set of offsets within the span', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 53n }),
        fc.uniqueArray(fc.integer({ min: 1, max: DONE_OFFSETS_SPAN }), { maxLength: 300 }),
        (committed, deltas) => {
          const done = deltas.map((d) => committed + BigInt(d));
          const metadata = encodeDoneOffsets(committed, done);
          const decoded = decodeDoneOffsets(committed, metadata);
          assert.ok(decoded.ok);
          assert.deepEqual(
            [...decoded.done].sort((a, b) => (a < b ? -1 : 1)),
            [...done].sort((a, b) => (a < b ? -1 : 1)),
          );
        },
      ),
    );
  });

  it('is null when nothing is done past the committed offset, and short when little is', () => {
    assert.equal(encodeDoneOffsets(10n, []), null);
    assert.equal(encodeDoneOffsets(10n, [11n, 12n, 13n, 14n]), `${DONE_OFFSETS_PREFIX}Dw`);
    const all = Array.from({ length: DONE_OFFSETS_SPAN }, (_, i) => 10n + 1n + BigInt(i));
    const full = encodeDoneOffsets(10n, all) ?? '';
    assert.ok(full.length < 1400, `the whole span encodes in ${full.length} characters`);
  });

  it('refuses offsets outside the span instead of writing a wrong map', () => {
    assert.throws(() => encodeDoneOffsets(10n, [10n]), RangeError);
    assert.throws(() => encodeDoneOffsets(10n, [10n + BigInt(DONE_OFFSETS_SPAN) + 1n]), RangeError);
  });

  it('reports metadata it did not write, rather than guessing', () => {
    assert.deepEqual(decodeDoneOffsets(5n, null), { ok: true, done: new Set() });
    assert.deepEqual(decodeDoneOffsets(5n, ''), { ok: true, done: new Set() });
    const foreign = decodeDoneOffsets(5n, 'committed by a script');
    assert.equal(foreign.ok, false);
    assert.equal(decodeDoneOffsets(5n, `${DONE_OFFSETS_PREFIX}not base64!`).ok, false);
    const tooLong = `${DONE_OFFSETS_PREFIX}${Buffer.alloc(DONE_OFFSETS_SPAN / 8 + 1, 1).toString('base64url')}`;
    assert.equal(decodeDoneOffsets(5n, tooLong).ok, false);
  });
});
