import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createDedupStore, type DedupStore, type UncommittedEntry } from '../../../src/dedup/dedup-store.ts';

const scope = (partition: number, topic = 'in') => ({ topic, partition });
const HOUR = 3_600_000;

function storeAt(clock: { now: number }, maxEntries = 1000, windowMs = 24 * HOUR) {
  return createDedupStore({ maxEntries, windowMs, now: () => clock.now, sweepEveryMs: 0 });
}

describe('createDedupStore', () => {
  it('keeps entries per input topic-partition', () => {
    const clock = { now: 10 * HOUR };
    const store = storeAt(clock);
    store.set(scope(0), 'a', { createdAtMs: clock.now, outcome: 'ACCEPTED' });
    assert.equal(store.get(scope(0), 'a')?.outcome, 'ACCEPTED');
    assert.equal(store.get(scope(1), 'a'), undefined);
    assert.equal(
      store.get(scope(0, 'other'), 'a'),
      undefined,
      'partition 0 of another topic is another scope',
    );
    store.set(scope(0), 'a', { createdAtMs: clock.now, outcome: 'REJECTED', attempt: 3 });
    assert.equal(store.size(), 1, 'setting a key again does not count twice');
    assert.deepEqual(store.get(scope(0), 'a'), { createdAtMs: clock.now, outcome: 'REJECTED', attempt: 3 });
    store.delete(scope(0), 'a');
    assert.equal(store.get(scope(0), 'a'), undefined);
    assert.equal(store.size(), 0);
  });

  it('answers for the whole window and forgets an entry once it is older than the window', () => {
    const clock = { now: 100 * HOUR };
    const store = storeAt(clock, 1_000_000, 24 * HOUR);
    for (let i = 0; i < 2000; i++)
      store.set(scope(0), `old${i}`, { createdAtMs: clock.now, outcome: 'ACCEPTED' });
    clock.now += 23 * HOUR;
    assert.equal(store.get(scope(0), 'old0')?.outcome, 'ACCEPTED', 'inside the window');
    clock.now += 2 * HOUR;
    assert.equal(store.get(scope(0), 'old0'), undefined, 'past the window');
    // The next sets sweep the scope: the expired entries leave the count as well.
    for (let i = 0; i < 1024; i++)
      store.set(scope(0), `new${i}`, { createdAtMs: clock.now, outcome: 'ACCEPTED' });
    assert.equal(store.size(), 1024);
    assert.equal(store.evicted(), 0, 'expiry is not eviction');
  });

  it('drops one scope when it is released, and only that one', () => {
    const clock = { now: HOUR };
    const store = storeAt(clock);
    store.set(scope(1), 'x', { createdAtMs: clock.now, outcome: 'ACCEPTED' });
    store.set(scope(2), 'y', { createdAtMs: clock.now, outcome: 'ACCEPTED' });
    store.set(scope(1, 'other'), 'z', { createdAtMs: clock.now, outcome: 'ACCEPTED' });
    store.dropScope(scope(1));
    assert.equal(store.size(), 2);
    assert.equal(store.get(scope(1), 'x'), undefined);
    assert.equal(store.get(scope(2), 'y')?.outcome, 'ACCEPTED');
    assert.equal(store.get(scope(1, 'other'), 'z')?.outcome, 'ACCEPTED');
  });

  it('past maxEntries forgets the oldest entries first, across scopes, and counts them', () => {
    const clock = { now: 1000 * HOUR };
    const store = storeAt(clock, 1000);
    for (let i = 0; i < 1500; i++) {
      store.set(scope(i % 3), `k${i}`, { createdAtMs: clock.now + i * 1000, outcome: 'ACCEPTED' });
    }
    assert.ok(store.size() <= 1000 && store.size() >= 980, `size ${store.size()}`);
    assert.equal(store.evicted() + store.size(), 1500);
    assert.equal(store.get(scope(0), 'k0'), undefined, 'the oldest went');
    assert.ok(store.get(scope(2), 'k1499'), 'the newest stayed');
    const kept = Array.from({ length: 1500 }, (_, i) => store.get(scope(i % 3), `k${i}`) !== undefined);
    assert.equal(kept.indexOf(true), kept.lastIndexOf(false) + 1, 'what is kept is exactly the newest');
  });

  it('exports a scope and imports it into another store, whatever that store numbers its outcomes', () => {
    const clock = { now: 50 * HOUR };
    const from = storeAt(clock);
    from.set(scope(4), 'a', { createdAtMs: clock.now, outcome: 'ACCEPTED' });
    from.set(scope(4), 'b', { createdAtMs: clock.now, outcome: 'FAILED', attempt: 2 });
    // A view of the table: copied (as a checkpoint writes it out) before the table changes.
    const view = from.viewScope(scope(4))!;
    const snapshot = { words: view.words.slice(), outcomes: view.outcomes };
    from.set(scope(4), 'c', { createdAtMs: clock.now, outcome: 'ACCEPTED' });
    assert.equal(from.viewScope(scope(9)), undefined);

    const into = storeAt(clock);
    into.set(scope(1), 'z', { createdAtMs: clock.now, outcome: 'FAILED' });
    into.set(scope(4), 'stale', { createdAtMs: clock.now, outcome: 'ACCEPTED' });
    into.importScope(scope(4), snapshot);
    assert.equal(into.get(scope(4), 'a')?.outcome, 'ACCEPTED');
    assert.deepEqual(into.get(scope(4), 'b'), { createdAtMs: clock.now, outcome: 'FAILED', attempt: 2 });
    assert.equal(into.get(scope(4), 'c'), undefined, 'the table was written out before c');
    assert.equal(into.get(scope(4), 'stale'), undefined, 'an import replaces the scope');
    assert.equal(into.size(), 3);
    assert.equal(into.scopeSize(scope(4)), 2);
  });

  it('refuses a snapshot whose slots name an outcome it does not list', () => {
    const clock = { now: 50 * HOUR };
    const from = storeAt(clock);
    from.set(scope(0), 'a', { createdAtMs: clock.now, outcome: 'ACCEPTED' });
    const snapshot = from.viewScope(scope(0))!;
    assert.throws(
      () => storeAt(clock).importScope(scope(0), { words: snapshot.words, outcomes: [] }),
      /outcome code/,
    );
  });

  it('under churn (keys set again, deletes, dropped scopes) keeps its count and answers as a Map would', () => {
    const clock = { now: 10 * HOUR };
    const store = storeAt(clock, 1_000_000);
    const model = new Map<string, string>();
    let seed = 11;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let step = 0; step < 20_000; step++) {
      const partition = random(4);
      const key = `k${random(500)}`;
      const id = `${partition}/${key}`;
      const op = random(100);
      if (op < 75) {
        const outcome = random(2) === 0 ? 'ACCEPTED' : 'REJECTED';
        store.set(scope(partition), key, { createdAtMs: clock.now, outcome });
        model.set(id, outcome);
      } else if (op < 99) {
        store.delete(scope(partition), key);
        model.delete(id);
      } else {
        store.dropScope(scope(partition));
        for (const k of [...model.keys()]) if (k.startsWith(`${partition}/`)) model.delete(k);
      }
      assert.equal(store.size(), model.size, `size at step ${step}`);
    }
    for (let partition = 0; partition < 4; partition++) {
      for (let k = 0; k < 500; k++) {
        assert.equal(store.get(scope(partition), `k${k}`)?.outcome, model.get(`${partition}/k${k}`));
      }
    }
  });

  it('viewCommitted shows the table without the uncommitted entries, and leaves the live table as it was', () => {
    const outcomes = ['ACCEPTED', 'REJECTED', 'FAILED'];
    // Committed sets, then uncommitted ones (often of the same keys, set more than once), then a view.
    const op = fc.record({
      key: fc.integer({ min: 0, max: 30 }),
      outcome: fc.constantFrom(...outcomes),
      attempt: fc.nat(3),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.array(op, { maxLength: 30 }), (committed, pending) => {
        const clock = { now: 10 * HOUR };
        const store = storeAt(clock, 100_000);
        const model = new Map<string, string>();
        for (const { key, outcome, attempt } of committed) {
          store.set(scope(0), `k${key}`, { createdAtMs: clock.now - key * 1000, outcome, attempt });
          model.set(`k${key}`, `${outcome}/${attempt}`);
        }
        const uncommitted: UncommittedEntry[] = pending.map(({ key, outcome, attempt }) =>
          store.remember(scope(0), `k${key}`, { createdAtMs: clock.now, outcome, attempt }),
        );
        const live = answers(store);
        const size = store.size();
        let seen: Map<string, string> | undefined;
        const viewed = store.viewCommitted(scope(0), uncommitted, (snapshot) => {
          const copy = storeAt(clock, 100_000);
          copy.importScope(scope(0), { words: snapshot.words.slice(), outcomes: snapshot.outcomes });
          seen = answers(copy);
        });
        assert.equal(viewed, committed.length + pending.length > 0);
        if (viewed) assert.deepEqual(seen, model, 'the view holds the committed entries only');
        assert.deepEqual(answers(store), live, 'the live table is as it was');
        assert.equal(store.size(), size);
      }),
      { numRuns: 300 },
    );

    function answers(store: DedupStore): Map<string, string> {
      const found = new Map<string, string>();
      for (let key = 0; key <= 30; key++) {
        const entry = store.get(scope(0), `k${key}`);
        if (entry) found.set(`k${key}`, `${entry.outcome}/${entry.attempt ?? 0}`);
      }
      return found;
    }
  });
});
