import assert from 'node:assert/strict';
import { hash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { sha256Prefix96 } from '../../../src/dedup/sha256-prefix.ts';
import { hashKey, KeyTable, MAX_ATTEMPT, type KeyHash } from '../../../src/dedup/key-table.ts';

/** mulberry32: a seeded generator, so a failure replays exactly. */
function seeded(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

describe('KeyTable', () => {
  it('hashes a key to 96 bits that differ for different keys and agree for one', () => {
    assert.deepEqual(hashKey('route:abc'), hashKey('route:abc'));
    assert.notDeepEqual(hashKey('route:abc'), hashKey('route:abd'));
    for (const word of hashKey('x')) assert.ok(Number.isInteger(word) && word >= 0 && word < 2 ** 32);
  });

  it('hashes a key given as its UTF-8 bytes (a restore reads keys as bytes) as it hashes the text', () => {
    for (const key of ['route:abc', 'welcome:ünïcødé-€-𝄞', '']) {
      assert.deepEqual(hashKey(Buffer.from(key, 'utf8')), hashKey(key));
    }
  });

  it('holds a value per key, sets it again in place, and deletes it', () => {
    const table = new KeyTable();
    const h = hashKey('a');
    table.set(h, { createdAtSec: 100, code: 3, attempt: 2 });
    assert.deepEqual(table.get(h), { createdAtSec: 100, code: 3, attempt: 2 });
    table.set(h, { createdAtSec: 200, code: 1, attempt: 0 });
    assert.equal(table.size, 1);
    assert.deepEqual(table.get(h), { createdAtSec: 200, code: 1, attempt: 0 });
    assert.equal(table.delete(h), true);
    assert.equal(table.delete(h), false);
    assert.equal(table.get(h), undefined);
    assert.equal(table.size, 0);
  });

  it('refuses a time a slot cannot hold, and caps an attempt count at 24 bits', () => {
    const table = new KeyTable();
    assert.throws(() => table.set(hashKey('a'), { createdAtSec: 0, code: 0, attempt: 0 }), RangeError);
    table.set(hashKey('b'), { createdAtSec: 5, code: 0, attempt: MAX_ATTEMPT + 10 });
    assert.equal(table.get(hashKey('b'))?.attempt, MAX_ATTEMPT);
  });

  it('under churn with crowded home slots (set, set again, delete, expiry, growth) agrees with a Map', () => {
    for (const seed of [1, 2, 3]) {
      const random = seeded(seed);
      const table = new KeyTable();
      const model = new Map<string, { createdAtSec: number; code: number; attempt: number }>();
      // Few distinct first words: long probe runs, wrap-around and backward shifts are the common case.
      const keyOf = (n: number): KeyHash => [(n * 977) % 3001, n, n ^ 0x5a5a];
      for (let step = 1; step < 30_000; step++) {
        const n = random(4000);
        const op = random(100);
        if (op < 70) {
          const value = { createdAtSec: step, code: random(8), attempt: random(4) };
          table.set(keyOf(n), value);
          model.set(String(n), value);
        } else if (op < 97) {
          assert.equal(table.delete(keyOf(n)), model.delete(String(n)), `delete at step ${step}`);
        } else if (op < 98) {
          const cutoff = step - random(3000);
          let expected = 0;
          for (const [k, v] of model) {
            if (v.createdAtSec < cutoff) {
              model.delete(k);
              expected++;
            }
          }
          assert.equal(table.deleteOlderThan(cutoff), expected, `deleteOlderThan at step ${step}`);
        }
        assert.equal(table.size, model.size, `size at step ${step}`);
      }
      for (let n = 0; n < 4000; n++) assert.deepEqual(table.get(keyOf(n)), model.get(String(n)), `key ${n}`);
      assert.ok(table.capacity * 0.85 >= table.size);
    }
  });

  it('reserved for n entries, takes them without growing, keeps what it held, and never shrinks', () => {
    const table = new KeyTable();
    for (let i = 0; i < 500; i++) table.set(hashKey(`early-${i}`), { createdAtSec: 10, code: 1, attempt: 0 });
    table.reserve(100_000);
    const reserved = table.capacity;
    assert.ok(reserved >= 100_000 / 0.85, 'room for them under the load limit');
    for (let i = 0; i < 100_000 - 500; i++)
      table.set(hashKey(`late-${i}`), { createdAtSec: 11, code: 2, attempt: 0 });
    assert.equal(table.capacity, reserved, 'no growth on the way');
    assert.equal(table.size, 100_000);
    for (let i = 0; i < 500; i++) assert.equal(table.get(hashKey(`early-${i}`))?.code, 1);
    table.reserve(10);
    assert.equal(table.capacity, reserved, 'a smaller reservation changes nothing');
  });

  it('comes back whole from its words, and refuses words that are not a table', () => {
    const table = new KeyTable();
    for (let i = 0; i < 5000; i++)
      table.set(hashKey(`k${i}`), { createdAtSec: i + 1, code: i % 5, attempt: 0 });
    const copy = KeyTable.fromWords(table.words().slice());
    assert.equal(copy.size, 5000);
    for (let i = 0; i < 5000; i++) assert.equal(copy.get(hashKey(`k${i}`))?.code, i % 5);
    assert.throws(() => KeyTable.fromWords(new Uint32Array(7)));
    const full = new Uint32Array(1024 * 5);
    for (let i = 0; i < 1024; i++) full[i * 5 + 3] = 1;
    assert.throws(() => KeyTable.fromWords(full), /load/);
  });

  it('counts entries by age and knows its oldest and newest', () => {
    const table = new KeyTable();
    assert.equal(table.ageRange(), undefined);
    for (let i = 0; i < 100; i++)
      table.set(hashKey(`k${i}`), { createdAtSec: 1000 + i, code: 0, attempt: 0 });
    assert.deepEqual(table.ageRange(), { oldestSec: 1000, newestSec: 1099 });
    assert.deepEqual([...table.countByAge(1000, 50, 2)], [50, 50]);
  });
});

describe('sha256Prefix96', () => {
  const reference = (key: string | Uint8Array): number[] => {
    const digest = hash('sha256', key, 'buffer');
    return [digest.readUInt32LE(0), digest.readUInt32LE(4), digest.readUInt32LE(8)];
  };

  it('is the first 96 bits of node:crypto SHA-256 for any bytes, across block boundaries', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        assert.deepEqual(sha256Prefix96(bytes), reference(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('hashes text as its UTF-8, lone surrogates included (as U+FFFD, like Buffer.from)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 120 }),
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        (a, b) => {
          assert.deepEqual(sha256Prefix96(a), reference(a));
          assert.deepEqual(sha256Prefix96(b), reference(b));
          assert.deepEqual(sha256Prefix96(`${a}\ud800${b}`), reference(`${a}\ud800${b}`));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
