/**
 * The in-memory view of the compacted dedup topic, one map per input
 * topic-partition (a DedupScope) this instance owns. Entries are added when a
 * record's outcome is known (before its transaction commits, so a repeat later
 * in the same batch is caught too) and dropped when their scope is revoked.
 * Memory is bounded by `maxEntries`: past it the oldest entries are forgotten
 * (CXone's own Idempotency-Key lifetime still covers them) and the metric says so.
 */

import type { DedupScope } from '../contracts/dedup-key.ts';
import type { DedupEntry } from '../contracts/records.ts';

export interface DedupStore {
  get(scope: DedupScope, key: string): DedupEntry | undefined;
  set(scope: DedupScope, key: string, entry: DedupEntry): void;
  delete(scope: DedupScope, key: string): void;
  /** Up to `limit` entries of `scope` created before `olderThanMs`, oldest first. */
  expired(scope: DedupScope, olderThanMs: number, limit: number): [string, DedupEntry][];
  dropScope(scope: DedupScope): void;
  size(): number;
  evicted(): number;
}

/** One scope's entries, and the order they were added in (with stale items for replaced or deleted ones). */
interface Scope {
  entries: Map<string, DedupEntry>;
  order: { key: string; entry: DedupEntry }[];
  /** Index of the first item of `order` that may still be live. */
  head: number;
}

export function createDedupStore(maxEntries: number): DedupStore {
  // Held by topic, then partition: two lookups on every record rather than a key string built for each.
  const byTopic = new Map<string, Map<number, Scope>>();
  let total = 0;
  let evictedCount = 0;

  const find = (scope: DedupScope): Scope | undefined => byTopic.get(scope.topic)?.get(scope.partition);

  const scopeFor = (scope: DedupScope): Scope => {
    let partitions = byTopic.get(scope.topic);
    if (!partitions) {
      partitions = new Map();
      byTopic.set(scope.topic, partitions);
    }
    let found = partitions.get(scope.partition);
    if (!found) {
      found = { entries: new Map(), order: [], head: 0 };
      partitions.set(scope.partition, found);
    }
    return found;
  };

  const isLive = (s: Scope, item: { key: string; entry: DedupEntry }): boolean =>
    s.entries.get(item.key) === item.entry;

  /**
   * The scope's oldest live entry. Its own queue, not the Map's first entry: a Map iterator
   * walks over every slot deleted from the front since the table was last rebuilt, and with the
   * store full (one eviction per record) that walk was a tenth of the connector's CPU.
   */
  function front(s: Scope): { key: string; entry: DedupEntry } | undefined {
    while (s.head < s.order.length && !isLive(s, s.order[s.head]!)) s.head++;
    if (s.head > 1024 && s.head * 2 > s.order.length) {
      s.order = s.order.slice(s.head);
      s.head = 0;
    }
    return s.order[s.head];
  }

  /** Keeps stale items (keys set again, or deleted) from outgrowing the live ones. */
  function compact(s: Scope): void {
    if (s.order.length - s.head <= 2 * s.entries.size + 1024) return;
    s.order = s.order.slice(s.head).filter((item) => isLive(s, item));
    s.head = 0;
  }

  function evictOldest(): void {
    let oldest: { scope: Scope; key: string; at: number } | undefined;
    for (const partitions of byTopic.values()) {
      for (const s of partitions.values()) {
        const first = front(s);
        if (first && (!oldest || first.entry.createdAtMs < oldest.at)) {
          oldest = { scope: s, key: first.key, at: first.entry.createdAtMs };
        }
      }
    }
    if (oldest) {
      oldest.scope.entries.delete(oldest.key);
      total--;
      evictedCount++;
    }
  }

  return {
    get: (scope, key) => find(scope)?.entries.get(key),
    set(scope, key, entry) {
      const s = scopeFor(scope);
      if (s.entries.has(key)) s.entries.delete(key);
      else total++;
      s.entries.set(key, entry);
      s.order.push({ key, entry });
      compact(s);
      while (total > maxEntries) evictOldest();
    },
    delete(scope, key) {
      const s = find(scope);
      if (s?.entries.delete(key)) {
        total--;
        compact(s);
      }
    },
    expired(scope, olderThanMs, limit) {
      const found: [string, DedupEntry][] = [];
      const s = find(scope);
      if (!s || !front(s)) return found;
      // Insertion order is (nearly) creation order, so the first young entry ends the scan.
      for (let i = s.head; i < s.order.length && found.length < limit; i++) {
        const item = s.order[i]!;
        if (!isLive(s, item)) continue;
        if (item.entry.createdAtMs >= olderThanMs) break;
        found.push([item.key, item.entry]);
      }
      return found;
    },
    dropScope(scope) {
      total -= find(scope)?.entries.size ?? 0;
      byTopic.get(scope.topic)?.delete(scope.partition);
    },
    size: () => total,
    evicted: () => evictedCount,
  };
}
