/**
 * One idempotency key in flight at a time in this instance. Two records can
 * carry the same key under different Kafka keys (the same event published
 * twice with another key, or on two partitions): the key-ordered queue runs
 * them side by side, and neither finds the other in the dedup store, which
 * learns an outcome only when its record finishes. The later one waits here
 * for the earlier one's outcome and treats it as the store's.
 */
import type { DedupEntry } from '../contracts/records.ts';

export interface InFlightKeys {
  /**
   * Waits until no other record holds `key`, then holds it. Resolves with what the records before
   * decided (undefined if none, or none decided), and a `settle` to call with this record's decision
   * (undefined: no decision), which lets the next one in.
   */
  hold(
    key: string,
  ): Promise<{ prior: DedupEntry | undefined; settle: (entry: DedupEntry | undefined) => void }>;
  size(): number;
}

export function createInFlightKeys(): InFlightKeys {
  const held = new Map<string, Promise<DedupEntry | undefined>>();
  return {
    async hold(key) {
      let prior: DedupEntry | undefined;
      for (let waiting = held.get(key); waiting; waiting = held.get(key)) {
        prior = (await waiting) ?? prior;
      }
      let resolve!: (entry: DedupEntry | undefined) => void;
      const mine = new Promise<DedupEntry | undefined>((r) => (resolve = r));
      held.set(key, mine);
      let settled = false;
      return {
        prior,
        settle(entry) {
          if (settled) return;
          settled = true;
          if (held.get(key) === mine) held.delete(key);
          resolve(entry);
        },
      };
    },
    size: () => held.size,
  };
}
