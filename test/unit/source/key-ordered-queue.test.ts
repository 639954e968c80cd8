import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createKeyOrderedQueue } from '../../../src/source/key-ordered-queue.ts';

describe('key-ordered queue', () => {
  it('makes an item ready only when the earlier items of its key have finished', () => {
    const q = createKeyOrderedQueue<string>();
    q.push('a1', 'a');
    q.push('b1', 'b');
    q.push('a2', 'a');
    assert.equal(q.readyCount(), 2);
    assert.equal(q.take(), 'a1');
    assert.equal(q.take(), 'b1');
    assert.equal(q.take(), undefined, 'a2 waits for a1');
    q.finish('b1', 'b');
    assert.equal(q.take(), undefined);
    q.finish('a1', 'a');
    assert.equal(q.take(), 'a2');
    q.finish('a2', 'a');
    assert.equal(q.keyCount(), 0);
  });

  it('a requeued item stays its key head: later items of the key cannot overtake it', () => {
    const q = createKeyOrderedQueue<string>();
    q.push('a1', 'a');
    q.push('a2', 'a');
    assert.equal(q.take(), 'a1');
    q.requeue('a1');
    assert.equal(q.take(), 'a1');
    assert.equal(q.take(), undefined);
  });

  it('refuses to finish an item that is not its key head', () => {
    const q = createKeyOrderedQueue<string>();
    q.push('a1', 'a');
    q.push('a2', 'a');
    assert.throws(() => q.finish('a2', 'a'), /not the head/);
  });

  it('serves ready items in arrival order across many keys', () => {
    const q = createKeyOrderedQueue<number>();
    for (let i = 0; i < 5000; i++) q.push(i, `k${i}`);
    const taken: number[] = [];
    for (let item = q.take(); item !== undefined; item = q.take()) taken.push(item);
    assert.deepEqual(
      taken,
      Array.from({ length: 5000 }, (_, i) => i),
    );
  });
});
