import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDedupStore } from '../../../src/dedup/dedup-store.ts';

describe('createDedupStore', () => {
  it('keeps entries per partition', () => {
    const store = createDedupStore(1000);
    store.set(0, 'a', { createdAtMs: 1, outcome: 'ACCEPTED' });
    assert.equal(store.get(0, 'a')?.outcome, 'ACCEPTED');
    assert.equal(store.get(1, 'a'), undefined);
    store.set(0, 'a', { createdAtMs: 2, outcome: 'ACCEPTED' });
    assert.equal(store.size(), 1, 'setting a key again does not count twice');
    store.delete(0, 'a');
    assert.equal(store.get(0, 'a'), undefined);
    assert.equal(store.size(), 0);
  });

  it('lists expired keys oldest first, bounded', () => {
    const store = createDedupStore(1000);
    for (let i = 0; i < 10; i++) store.set(3, `k${i}`, { createdAtMs: i * 100, outcome: 'ACCEPTED' });
    assert.deepEqual(store.expired(3, 450, 100), ['k0', 'k1', 'k2', 'k3', 'k4']);
    assert.deepEqual(store.expired(3, 450, 2), ['k0', 'k1']);
    assert.deepEqual(store.expired(4, 450, 100), []);
  });

  it('drops a whole partition when it is released', () => {
    const store = createDedupStore(1000);
    store.set(1, 'x', { createdAtMs: 1, outcome: 'ACCEPTED' });
    store.set(2, 'y', { createdAtMs: 1, outcome: 'ACCEPTED' });
    store.dropPartition(1);
    assert.equal(store.size(), 1);
    assert.equal(store.get(1, 'x'), undefined);
    assert.equal(store.get(2, 'y')?.outcome, 'ACCEPTED');
  });

  it('stays within maxEntries by forgetting the oldest entries, and counts them', () => {
    const store = createDedupStore(1000);
    for (let i = 0; i < 1500; i++) store.set(i % 3, `k${i}`, { createdAtMs: i, outcome: 'ACCEPTED' });
    assert.equal(store.size(), 1000);
    assert.equal(store.evicted(), 500);
    assert.equal(store.get(0, 'k0'), undefined);
    assert.ok(store.get(2, 'k1499'));
  });
});
