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

/**
 * One scope's entries, and the order they were added in: `keys[i]` was set to `added[i]` (two
 * arrays, not an object per entry, to keep the memory per entry small). An item whose key has
 * since been set again or deleted is stale and skipped.
 */
interface Scope {
  entries: Map<string, DedupEntry>;
  keys: string[];
  added: DedupEntry[];
  /** Index of the first item that may still be live. */
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
      found = { entries: new Map(), keys: [], added: [], head: 0 };
      partitions.set(scope.partition, found);
    }
    return found;
  };

  const isLive = (s: Scope, i: number): boolean => s.entries.get(s.keys[i]!) === s.added[i];

  /** Rewrites the queue with its live items only. */
  function rebase(s: Scope): void {
    const keys: string[] = [];
    const added: DedupEntry[] = [];
    for (let i = s.head; i < s.keys.length; i++) {
      if (!isLive(s, i)) continue;
      keys.push(s.keys[i]!);
      added.push(s.added[i]!);
    }
    s.keys = keys;
    s.added = added;
    s.head = 0;
  }

  /**
   * The scope's oldest live entry. Its own queue, not the Map's first entry: a Map iterator
   * walks over every slot deleted from the front since the table was last rebuilt, and with the
   * store full (one eviction per record) that walk was a tenth of the connector's CPU.
   */
  function front(s: Scope): number | undefined {
    while (s.head < s.keys.length && !isLive(s, s.head)) s.head++;
    if (s.head > 1024 && s.head * 2 > s.keys.length) rebase(s);
    return s.head < s.keys.length ? s.head : undefined;
  }

  /** Keeps stale items (keys set again, or deleted) from outgrowing the live ones by more than half. */
  function compact(s: Scope): void {
    if (s.keys.length - s.head > s.entries.size * 1.5 + 1024) rebase(s);
  }

  function evictOldest(): void {
    let oldest: { scope: Scope; key: string; at: number } | undefined;
    for (const partitions of byTopic.values()) {
      for (const s of partitions.values()) {
        const first = front(s);
        if (first === undefined) continue;
        const at = s.added[first]!.createdAtMs;
        if (!oldest || at < oldest.at) oldest = { scope: s, key: s.keys[first]!, at };
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
      s.keys.push(key);
      s.added.push(entry);
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
      if (!s || front(s) === undefined) return found;
      // Insertion order is (nearly) creation order, so the first young entry ends the scan.
      for (let i = s.head; i < s.keys.length && found.length < limit; i++) {
        if (!isLive(s, i)) continue;
        const entry = s.added[i]!;
        if (entry.createdAtMs >= olderThanMs) break;
        found.push([s.keys[i]!, entry]);
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
