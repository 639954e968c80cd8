/**
 * What this instance knows of the dedup topic: one key table per input
 * topic-partition (a DedupScope) it owns. Entries are added when a record's
 * outcome is known (before its transaction commits, so a repeat later in the
 * same batch is caught too) and dropped when their scope is revoked.
 *
 * The whole window is held: an entry is forgotten when it is older than
 * `windowMs` (the dedup topic's retention forgets it too, see
 * source/topic-setup.ts) and never earlier, unless the instance holds more
 * than `maxEntries`, a guard for the container's memory (about 32 bytes an
 * entry): then the oldest go first and the metric says so.
 */
import type { DedupScope } from '../contracts/dedup-key.ts';
import type { DedupEntry } from '../contracts/records.ts';
import { hashKey, KeyTable, type KeyHash } from './key-table.ts';

export interface DedupStore {
  /** `key`: an idempotency key, as text or as its UTF-8 bytes. */
  get(scope: DedupScope, key: string | Uint8Array): DedupEntry | undefined;
  set(scope: DedupScope, key: string | Uint8Array, entry: DedupEntry): void;
  /**
   * As `set`, for a record whose transaction has not committed yet: what it returns lets
   * `viewCommitted` leave the entry out of a checkpoint until it has.
   */
  remember(scope: DedupScope, key: string | Uint8Array, entry: DedupEntry): UncommittedEntry;
  delete(scope: DedupScope, key: string | Uint8Array): void;
  dropScope(scope: DedupScope): void;
  /**
   * The scope's table itself (not a copy), for a checkpoint to write out before the table changes;
   * undefined when the scope holds nothing.
   */
  viewScope(scope: DedupScope): ScopeSnapshot | undefined;
  /**
   * Calls `write` with the scope's table as it would be without `uncommitted` (in the order they
   * were remembered): they are undone for the call, newest first, and done again after it, all
   * synchronously, so no copy of the table is made. False when the scope holds nothing.
   */
  viewCommitted(
    scope: DedupScope,
    uncommitted: readonly UncommittedEntry[],
    write: (snapshot: ScopeSnapshot) => void,
  ): boolean;
  /** Replaces the scope's entries with a checkpoint's. */
  importScope(scope: DedupScope, snapshot: ScopeSnapshot): void;
  /**
   * Makes room for `entries` entries in the scope before a restore fills it, so its table does
   * not grow (and hold two arrays at once) on the way; capped at maxEntries.
   */
  reserve(scope: DedupScope, entries: number): void;
  /** Entries held for the scope. */
  scopeSize(scope: DedupScope): number;
  size(): number;
  evicted(): number;
}

/** An entry a record set before its transaction committed, and what its key held before. */
export interface UncommittedEntry {
  key: string | Uint8Array;
  entry: DedupEntry;
  /** Undefined: the key held nothing (or only an entry past the window). */
  previous: DedupEntry | undefined;
}

/** One scope's table as words, and the outcome each code in it stands for. */
export interface ScopeSnapshot {
  words: Uint32Array;
  outcomes: readonly string[];
}

export interface DedupStoreOptions {
  maxEntries: number;
  windowMs: number;
  now: () => number;
  /** How often a scope is swept of expired entries, at most. */
  sweepEveryMs?: number;
}

interface Scope {
  table: KeyTable;
  setsSinceSweep: number;
  sweptAtMs: number;
}

/** Entries freed past `maxEntries` at once, so that eviction (a pass over every table) is rare. */
const EVICTION_SLACK = 0.01;

export function createDedupStore(options: DedupStoreOptions): DedupStore {
  const { maxEntries, windowMs, now } = options;
  const sweepEveryMs = options.sweepEveryMs ?? 60_000;
  const byTopic = new Map<string, Map<number, Scope>>();
  // Outcomes are a handful of stable strings; a slot holds the code of one.
  const outcomes: string[] = [];
  const codes = new Map<string, number>();
  let total = 0;
  let evictedCount = 0;

  const codeOf = (outcome: string): number => {
    let code = codes.get(outcome);
    if (code === undefined) {
      if (outcomes.length > 0xff) throw new Error('more than 256 distinct dedup outcomes');
      code = outcomes.length;
      outcomes.push(outcome);
      codes.set(outcome, code);
    }
    return code;
  };
  const cutoffSec = (): number => Math.floor((now() - windowMs) / 1000);
  const find = (scope: DedupScope): Scope | undefined => byTopic.get(scope.topic)?.get(scope.partition);
  const scopeFor = (scope: DedupScope): Scope => {
    let partitions = byTopic.get(scope.topic);
    if (!partitions) {
      partitions = new Map();
      byTopic.set(scope.topic, partitions);
    }
    let found = partitions.get(scope.partition);
    if (!found) {
      found = { table: new KeyTable(), setsSinceSweep: 0, sweptAtMs: now() };
      partitions.set(scope.partition, found);
    }
    return found;
  };
  const scopes = function* (): Generator<Scope> {
    for (const partitions of byTopic.values()) yield* partitions.values();
  };

  function sweep(s: Scope): void {
    s.setsSinceSweep = 0;
    s.sweptAtMs = now();
    total -= s.table.deleteOlderThan(cutoffSec());
  }

  /** Frees the oldest entries across every scope until the store is `EVICTION_SLACK` under its bound. */
  function evict(): void {
    const over = total - Math.floor(maxEntries * (1 - EVICTION_SLACK));
    let oldest = Infinity;
    let newest = 0;
    for (const s of scopes()) {
      const range = s.table.ageRange();
      if (!range) continue;
      oldest = Math.min(oldest, range.oldestSec);
      newest = Math.max(newest, range.newestSec);
    }
    if (newest === 0) return;
    const buckets = 4096;
    const width = Math.max(1, Math.ceil((newest - oldest + 1) / buckets));
    const counts = new Float64Array(buckets);
    for (const s of scopes()) {
      const c = s.table.countByAge(oldest, width, buckets);
      for (let k = 0; k < buckets; k++) counts[k]! += c[k]!;
    }
    let freed = 0;
    let k = 0;
    while (k < buckets && freed < over) freed += counts[k++]!;
    const cutoff = oldest + k * width;
    for (const s of scopes()) {
      const removed = s.table.deleteOlderThan(cutoff);
      total -= removed;
      evictedCount += removed;
    }
  }

  function dropScope(scope: DedupScope): void {
    total -= find(scope)?.table.size ?? 0;
    byTopic.get(scope.topic)?.delete(scope.partition);
  }

  function lookup(table: KeyTable | undefined, h: KeyHash): DedupEntry | undefined {
    const slot = table?.get(h);
    if (!slot || slot.createdAtSec < cutoffSec()) return undefined;
    return { createdAtMs: slot.createdAtSec * 1000, outcome: outcomes[slot.code]!, attempt: slot.attempt };
  }

  /** The entry into the table, or the key out of it when the entry is absent or past the window. */
  function put(table: KeyTable, h: KeyHash, entry: DedupEntry | undefined): void {
    // Rounded up: an entry is never forgotten before its window ends.
    const createdAtSec = entry ? Math.max(1, Math.ceil(entry.createdAtMs / 1000)) : 0;
    // Already past the window (a restore reading old records): the key is as good as unknown.
    if (!entry || createdAtSec < cutoffSec()) table.delete(h);
    else table.set(h, { createdAtSec, code: codeOf(entry.outcome), attempt: entry.attempt ?? 0 });
  }

  function set(scope: DedupScope, h: KeyHash, entry: DedupEntry): void {
    const s = scopeFor(scope);
    const before = s.table.size;
    put(s.table, h, entry);
    total += s.table.size - before;
    if (++s.setsSinceSweep >= 1024 && now() - s.sweptAtMs >= sweepEveryMs) sweep(s);
    if (total > maxEntries) evict();
  }

  return {
    get: (scope, key) => lookup(find(scope)?.table, hashKey(key)),
    set: (scope, key, entry) => set(scope, hashKey(key), entry),
    remember(scope, key, entry) {
      const h = hashKey(key);
      const previous = lookup(find(scope)?.table, h);
      set(scope, h, entry);
      return { key, entry, previous };
    },
    viewCommitted(scope, uncommitted, write) {
      const s = find(scope);
      if (!s) return false;
      const { table } = s;
      const before = table.size;
      const hashes = uncommitted.map((u) => hashKey(u.key));
      for (let i = uncommitted.length - 1; i >= 0; i--) put(table, hashes[i]!, uncommitted[i]!.previous);
      try {
        write({ words: table.words(), outcomes: [...outcomes] });
      } finally {
        for (let i = 0; i < uncommitted.length; i++) put(table, hashes[i]!, uncommitted[i]!.entry);
        total += table.size - before;
      }
      return true;
    },
    delete(scope, key) {
      const s = find(scope);
      if (!s) return;
      if (s.table.delete(hashKey(key))) total--;
    },
    dropScope,
    viewScope(scope) {
      const s = find(scope);
      if (!s) return undefined;
      return { words: s.table.words(), outcomes: [...outcomes] };
    },
    importScope(scope, snapshot) {
      const words = snapshot.words;
      // The checkpoint's codes, in this store's numbering; a code it does not name refuses it whole.
      const remap = snapshot.outcomes.map(codeOf);
      for (let at = 0; at < words.length; at += 5) {
        if (words[at + 3] === 0) continue;
        const meta = words[at + 4]!;
        const code = remap[meta & 0xff];
        if (code === undefined) throw new Error(`a dedup checkpoint slot names outcome code ${meta & 0xff}`);
        words[at + 4] = ((meta & ~0xff) | code) >>> 0;
      }
      const table = KeyTable.fromWords(words);
      dropScope(scope);
      const s = scopeFor(scope);
      s.table = table;
      total += table.size;
      sweep(s);
      if (total > maxEntries) evict();
    },
    reserve: (scope, entries) => scopeFor(scope).table.reserve(Math.min(entries, maxEntries)),
    scopeSize: (scope) => find(scope)?.table.size ?? 0,
    size: () => total,
    evicted: () => evictedCount,
  };
}
