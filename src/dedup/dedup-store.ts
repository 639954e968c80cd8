/**
 * The in-memory view of the compacted dedup topic, one map per dedup
 * partition this instance owns. Entries are added when a record's outcome is
 * known (before its transaction commits, so a repeat later in the same batch
 * is caught too) and dropped when their partition is revoked. Memory is
 * bounded by `maxEntries`: past it the oldest entries are forgotten (CXone's
 * own Idempotency-Key lifetime still covers them) and the metric says so.
 */

import type { DedupEntry } from '../contracts/records.ts';

export interface DedupStore {
  get(partition: number, key: string): DedupEntry | undefined;
  set(partition: number, key: string, entry: DedupEntry): void;
  delete(partition: number, key: string): void;
  /** Up to `limit` keys of `partition` created before `olderThanMs`, oldest first. */
  expired(partition: number, olderThanMs: number, limit: number): string[];
  dropPartition(partition: number): void;
  size(): number;
  evicted(): number;
}

export function createDedupStore(maxEntries: number): DedupStore {
  // A Map keeps insertion order, which is (nearly) creation order: expiry and eviction scan from the front.
  const partitions = new Map<number, Map<string, DedupEntry>>();
  let total = 0;
  let evictedCount = 0;

  const mapFor = (partition: number): Map<string, DedupEntry> => {
    let map = partitions.get(partition);
    if (!map) {
      map = new Map();
      partitions.set(partition, map);
    }
    return map;
  };

  function evictOldest(): void {
    let oldest: { partition: number; key: string; at: number } | undefined;
    for (const [partition, map] of partitions) {
      const first = map.entries().next();
      if (!first.done && (!oldest || first.value[1].createdAtMs < oldest.at)) {
        oldest = { partition, key: first.value[0], at: first.value[1].createdAtMs };
      }
    }
    if (oldest) {
      partitions.get(oldest.partition)?.delete(oldest.key);
      total--;
      evictedCount++;
    }
  }

  return {
    get: (partition, key) => partitions.get(partition)?.get(key),
    set(partition, key, entry) {
      const map = mapFor(partition);
      if (map.has(key)) map.delete(key);
      else total++;
      map.set(key, entry);
      while (total > maxEntries) evictOldest();
    },
    delete(partition, key) {
      if (partitions.get(partition)?.delete(key)) total--;
    },
    expired(partition, olderThanMs, limit) {
      const keys: string[] = [];
      for (const [key, entry] of partitions.get(partition) ?? []) {
        if (keys.length >= limit) break;
        // Insertion order is creation order, so the first young entry ends the scan.
        if (entry.createdAtMs >= olderThanMs) break;
        keys.push(key);
      }
      return keys;
    },
    dropPartition(partition) {
      total -= partitions.get(partition)?.size ?? 0;
      partitions.delete(partition);
    },
    size: () => total,
    evicted: () => evictedCount,
  };
}
