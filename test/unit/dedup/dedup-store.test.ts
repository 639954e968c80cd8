import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDedupStore } from '../../../src/dedup/dedup-store.ts';

const scope = (partition: number, topic = 'in') => ({ topic, partition });

describe('createDedupStore', () => {
  it('keeps entries per input topic-partition', () => {
    const store = createDedupStore(1000);
    store.set(scope(0), 'a', { createdAtMs: 1, outcome: 'ACCEPTED' });
    assert.equal(store.get(scope(0), 'a')?.outcome, 'ACCEPTED');
    assert.equal(store.get(scope(1), 'a'), undefined);
    assert.equal(
      store.get(scope(0, 'other'), 'a'),
      undefined,
      'partition 0 of another topic is another scope',
    );
    store.set(scope(0), 'a', { createdAtMs: 2, outcome: 'ACCEPTED' });
    assert.equal(store.size(), 1, 'setting a key again does not count twice');
    store.delete(scope(0), 'a');
    assert.equal(store.get(scope(0), 'a'), undefined);
    assert.equal(store.size(), 0);
  });

  it('lists expired entries oldest first, bounded', () => {
    const store = createDedupStore(1000);
    for (let i = 0; i < 10; i++) store.set(scope(3), `k${i}`, { createdAtMs: i * 100, outcome: 'ACCEPTED' });
    const keys = (found: [string, unknown][]) => found.map(([key]) => key);
    assert.deepEqual(keys(store.expired(scope(3), 450, 100)), ['k0', 'k1', 'k2', 'k3', 'k4']);
    assert.deepEqual(keys(store.expired(scope(3), 450, 2)), ['k0', 'k1']);
    assert.deepEqual(store.expired(scope(4), 450, 100), []);
  });

  it('drops one scope when it is released, and only that one', () => {
    const store = createDedupStore(1000);
    store.set(scope(1), 'x', { createdAtMs: 1, outcome: 'ACCEPTED' });
    store.set(scope(2), 'y', { createdAtMs: 1, outcome: 'ACCEPTED' });
    store.set(scope(1, 'other'), 'z', { createdAtMs: 1, outcome: 'ACCEPTED' });
    store.dropScope(scope(1));
    assert.equal(store.size(), 2);
    assert.equal(store.get(scope(1), 'x'), undefined);
    assert.equal(store.get(scope(2), 'y')?.outcome, 'ACCEPTED');
    assert.equal(store.get(scope(1, 'other'), 'z')?.outcome, 'ACCEPTED');
  });

  it('stays within maxEntries by forgetting the oldest entries, and counts them', () => {
    const store = createDedupStore(1000);
    for (let i = 0; i < 1500; i++) store.set(scope(i % 3), `k${i}`, { createdAtMs: i, outcome: 'ACCEPTED' });
    assert.equal(store.size(), 1000);
    assert.equal(store.evicted(), 500);
    assert.equal(store.get(scope(0), 'k0'), undefined);
    assert.ok(store.get(scope(2), 'k1499'));
  });
});
