/**
 * A dense hash table of dedup entries for one input topic-partition: 20 bytes
 * a slot in one Uint32Array, outside the V8 heap, instead of a string key and
 * an object per entry (about 280 bytes). A key is held as 96 bits of its
 * SHA-256, never as text; docs/dedup-store.md "Dedup store" has the collision analysis.
 *
 * Slot layout (five words): hash words 0..2, the entry's creation time in
 * whole seconds (0 marks an empty slot: no entry is created at the epoch),
 * and `outcome code | attempt << 8`. Open addressing with linear probing,
 * backward-shift deletion (no tombstones to sweep), grown ×1.5 past 85 % load.
 */
import { sha256Prefix96 } from './sha256-prefix.ts';

const WORDS = 5;
const MAX_LOAD = 0.85;
/** The load a reserved table starts at when full: room for the live traffic before it must grow. */
const RESERVED_LOAD = 0.8;
const MIN_CAPACITY = 1024;
/** The largest attempt a slot can hold (24 bits); a key retried more often keeps counting from there. */
export const MAX_ATTEMPT = 0xff_ffff;

/** A key's 96-bit digest, as three unsigned words. */
export type KeyHash = readonly [number, number, number];

/** `key` as text, or as its UTF-8 bytes: both give the same digest. */
export function hashKey(key: string | Uint8Array): KeyHash {
  return sha256Prefix96(key);
}

export interface SlotValue {
  createdAtSec: number;
  code: number;
  attempt: number;
}

export class KeyTable {
  #slots: Uint32Array;
  #capacity: number;
  #size = 0;

  constructor(capacity = MIN_CAPACITY) {
    this.#capacity = Math.max(MIN_CAPACITY, Math.ceil(capacity));
    this.#slots = new Uint32Array(this.#capacity * WORDS);
  }

  /** A table from the words `words()` returned (a checkpoint); throws when they are not a table. */
  static fromWords(words: Uint32Array): KeyTable {
    if (words.length % WORDS !== 0 || words.length / WORDS < MIN_CAPACITY) {
      throw new Error(`a key table has a multiple of ${WORDS} words and at least ${MIN_CAPACITY} slots`);
    }
    const table = new KeyTable(MIN_CAPACITY);
    table.#slots = words;
    table.#capacity = words.length / WORDS;
    let size = 0;
    for (let i = 0; i < table.#capacity; i++) if (words[i * WORDS + 3] !== 0) size++;
    if (size > table.#capacity * MAX_LOAD) throw new Error('a key table over its load limit');
    table.#size = size;
    return table;
  }

  get size(): number {
    return this.#size;
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** The table's own words (not a copy): what a checkpoint writes. */
  words(): Uint32Array {
    return this.#slots;
  }

  /**
   * Makes room for `entries` in all without growing on the way (a restore that knows how many
   * records it reads): growing ×1.5 from small, a 5,000,000-key table ends at 65 % load and, while
   * it grows, holds the old and the new arrays at once.
   */
  reserve(entries: number): void {
    const capacity = Math.ceil(entries / RESERVED_LOAD);
    if (capacity > this.#capacity) this.#resize(capacity);
  }

  get(h: KeyHash): SlotValue | undefined {
    const i = this.#find(h);
    if (i < 0) return undefined;
    const s = this.#slots;
    const meta = s[i * WORDS + 4]!;
    return { createdAtSec: s[i * WORDS + 3]!, code: meta & 0xff, attempt: meta >>> 8 };
  }

  set(h: KeyHash, value: SlotValue): void {
    if (value.createdAtSec < 1 || value.createdAtSec > 0xffff_ffff) {
      throw new RangeError(`createdAtSec ${value.createdAtSec} is not a time a slot can hold`);
    }
    const meta = ((value.code & 0xff) | (Math.min(value.attempt, MAX_ATTEMPT) << 8)) >>> 0;
    let i = this.#find(h);
    if (i < 0) {
      if (this.#size + 1 > this.#capacity * MAX_LOAD) this.#resize(Math.ceil(this.#capacity * 1.5));
      i = this.#emptySlotFor(h[0]);
      const at = i * WORDS;
      this.#slots[at] = h[0];
      this.#slots[at + 1] = h[1];
      this.#slots[at + 2] = h[2];
      this.#size++;
    }
    this.#slots[i * WORDS + 3] = value.createdAtSec;
    this.#slots[i * WORDS + 4] = meta;
  }

  delete(h: KeyHash): boolean {
    const i = this.#find(h);
    if (i < 0) return false;
    this.#removeAt(i);
    return true;
  }

  /** Removes every entry created before `cutoffSec`; returns how many. */
  deleteOlderThan(cutoffSec: number): number {
    const s = this.#slots;
    let removed = 0;
    // A removal shifts later entries back into slot i, so i is looked at again before moving on;
    // an entry that wraps from the front to the back is looked at twice, which is harmless.
    for (let i = 0; i < this.#capacity;) {
      const created = s[i * WORDS + 3]!;
      if (created !== 0 && created < cutoffSec) {
        this.#removeAt(i);
        removed++;
      } else i++;
    }
    return removed;
  }

  /** How many entries were created in each second-range [from + k·width, from + (k+1)·width). */
  countByAge(fromSec: number, widthSec: number, buckets: number): Float64Array {
    const counts = new Float64Array(buckets);
    const s = this.#slots;
    for (let i = 0; i < this.#capacity; i++) {
      const created = s[i * WORDS + 3]!;
      if (created === 0) continue;
      const k = Math.min(buckets - 1, Math.max(0, Math.floor((created - fromSec) / widthSec)));
      counts[k]!++;
    }
    return counts;
  }

  /** The oldest and newest creation times held, or undefined when empty. */
  ageRange(): { oldestSec: number; newestSec: number } | undefined {
    let oldest = Infinity;
    let newest = 0;
    const s = this.#slots;
    for (let i = 0; i < this.#capacity; i++) {
      const created = s[i * WORDS + 3]!;
      if (created === 0) continue;
      if (created < oldest) oldest = created;
      if (created > newest) newest = created;
    }
    return newest === 0 ? undefined : { oldestSec: oldest, newestSec: newest };
  }

  #find(h: KeyHash): number {
    const s = this.#slots;
    const cap = this.#capacity;
    for (let i = h[0] % cap; ;) {
      const at = i * WORDS;
      if (s[at + 3] === 0) return -1;
      if (s[at] === h[0] && s[at + 1] === h[1] && s[at + 2] === h[2]) return i;
      if (++i === cap) i = 0;
    }
  }

  #emptySlotFor(h0: number): number {
    const s = this.#slots;
    const cap = this.#capacity;
    let i = h0 % cap;
    while (s[i * WORDS + 3] !== 0) if (++i === cap) i = 0;
    return i;
  }

  /** Backward-shift deletion: every entry after the hole that may move into it does. */
  #removeAt(hole: number): void {
    const s = this.#slots;
    const cap = this.#capacity;
    let i = hole;
    let j = hole;
    for (;;) {
      if (++j === cap) j = 0;
      const at = j * WORDS;
      if (s[at + 3] === 0) break;
      const home = s[at]! % cap;
      // j's entry may fill hole i unless its home lies cyclically in (i, j].
      const stays = i <= j ? home > i && home <= j : home > i || home <= j;
      if (stays) continue;
      s.copyWithin(i * WORDS, at, at + WORDS);
      i = j;
    }
    s.fill(0, i * WORDS, i * WORDS + WORDS);
    this.#size--;
  }

  #resize(capacity: number): void {
    const old = this.#slots;
    const oldCapacity = this.#capacity;
    this.#capacity = capacity;
    this.#slots = new Uint32Array(capacity * WORDS);
    for (let i = 0; i < oldCapacity; i++) {
      const at = i * WORDS;
      if (old[at + 3] === 0) continue;
      const to = this.#emptySlotFor(old[at]!) * WORDS;
      this.#slots.set(old.subarray(at, at + WORDS), to);
    }
  }
}
