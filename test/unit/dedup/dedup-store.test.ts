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

  it('under churn (keys set again, deletes, dropped scopes, a full store) agrees with a plain model of it', () => {
    // The model: one Map per scope in insertion order; a full store forgets the scope front with the oldest createdAt.
    const model = new Map<string, Map<string, number>>();
    const modelSet = (id: string, key: string, at: number) => {
      const m = model.get(id) ?? new Map<string, number>();
      model.set(id, m);
      m.delete(key);
      m.set(key, at);
      let size = [...model.values()].reduce((n, each) => n + each.size, 0);
      while (size > 120) {
        let oldest: [Map<string, number>, string, number] | undefined;
        for (const each of model.values()) {
          const first = [...each][0];
          if (first && (!oldest || first[1] < oldest[2])) oldest = [each, first[0], first[1]];
        }
        oldest![0].delete(oldest![1]);
        size--;
      }
    };
    const store = createDedupStore(120);
    // mulberry32: a seeded generator, so a failure replays exactly.
    let seed = 7;
    const random = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
    };
    let expiredSeen = 0;
    for (let at = 0; at < 20_000; at++) {
      const partition = random(4);
      const id = `in/${partition}`;
      const key = `k${random(500)}`;
      const op = random(100);
      if (op < 80) {
        store.set(scope(partition), key, { createdAtMs: at, outcome: 'ACCEPTED' });
        modelSet(id, key, at);
      } else if (op < 97) {
        store.delete(scope(partition), key);
        model.get(id)?.delete(key);
      } else if (op < 98) {
        store.dropScope(scope(partition));
        model.delete(id);
      } else {
        const expired = store.expired(scope(partition), at - 60, 50).map(([k, e]) => [k, e.createdAtMs]);
        // The model's scan, like the store's, stops at the first young entry (insertion order is creation order here).
        const entries = [...(model.get(id) ?? [])];
        const firstYoung = entries.findIndex(([, t]) => t >= at - 60);
        const stopped = (firstYoung === -1 ? entries : entries.slice(0, firstYoung)).slice(0, 50);
        assert.deepEqual(expired, stopped, `expired() at step ${at}`);
        expiredSeen += expired.length;
      }
      const size = [...model.values()].reduce((n, each) => n + each.size, 0);
      assert.equal(store.size(), size, `size at step ${at}`);
    }
    for (const [id, entries] of model) {
      const partition = Number(id.split('/')[1]);
      for (const [key, at] of entries) assert.equal(store.get(scope(partition), key)?.createdAtMs, at);
    }
    assert.ok(store.evicted() > 0, 'the store was full for part of the run');
    assert.ok(expiredSeen > 0, 'some entries were old enough to expire');
  });
});
