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

export function createDedupStore(maxEntries: number): DedupStore {
  // A Map keeps insertion order, which is (nearly) creation order: expiry and eviction scan from the front.
  // Held by topic, then partition: two lookups on every record rather than a key string built for each.
  const byTopic = new Map<string, Map<number, Map<string, DedupEntry>>>();
  let total = 0;
  let evictedCount = 0;

  const find = (scope: DedupScope): Map<string, DedupEntry> | undefined =>
    byTopic.get(scope.topic)?.get(scope.partition);

  const mapFor = (scope: DedupScope): Map<string, DedupEntry> => {
    let partitions = byTopic.get(scope.topic);
    if (!partitions) {
      partitions = new Map();
      byTopic.set(scope.topic, partitions);
    }
    let map = partitions.get(scope.partition);
    if (!map) {
      map = new Map();
      partitions.set(scope.partition, map);
    }
    return map;
  };

  function evictOldest(): void {
    let oldest: { map: Map<string, DedupEntry>; key: string; at: number } | undefined;
    for (const partitions of byTopic.values()) {
      for (const map of partitions.values()) {
        const first = map.entries().next();
        if (!first.done && (!oldest || first.value[1].createdAtMs < oldest.at)) {
          oldest = { map, key: first.value[0], at: first.value[1].createdAtMs };
        }
      }
    }
    if (oldest) {
      oldest.map.delete(oldest.key);
      total--;
      evictedCount++;
    }
  }

  return {
    get: (scope, key) => find(scope)?.get(key),
    set(scope, key, entry) {
      const map = mapFor(scope);
      if (map.has(key)) map.delete(key);
      else total++;
      map.set(key, entry);
      while (total > maxEntries) evictOldest();
    },
    delete(scope, key) {
      if (find(scope)?.delete(key)) total--;
    },
    expired(scope, olderThanMs, limit) {
      const found: [string, DedupEntry][] = [];
      for (const item of find(scope) ?? []) {
        if (found.length >= limit) break;
        // Insertion order is creation order, so the first young entry ends the scan.
        if (item[1].createdAtMs >= olderThanMs) break;
        found.push(item);
      }
      return found;
    },
    dropScope(scope) {
      total -= find(scope)?.size ?? 0;
      byTopic.get(scope.topic)?.delete(scope.partition);
    },
    size: () => total,
    evicted: () => evictedCount,
  };
}
