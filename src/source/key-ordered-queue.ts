/**
 * Per-key ordering inside one partition (the idea of Confluent's Parallel
 * Consumer, KEY mode): an item is ready only when every earlier item with the
 * same key has finished. Items of different keys are ready in arrival order.
 * An item that failed stays at the head of its key, so a retry never lets a
 * later record of that key overtake it, and never holds back any other key.
 */
export interface KeyOrderedQueue<T> {
  /** Queues `item` behind the unfinished items of `key`. */
  push(item: T, key: string): void;
  /** Takes the next ready item, if any. */
  take(): T | undefined;
  /** `item` (taken earlier) finished: the next item of its key becomes ready. */
  finish(item: T, key: string): void;
  /** `item` (taken earlier, not finished) may be taken again: it is still its key's head. */
  requeue(item: T): void;
  readyCount(): number;
  /** Keys with unfinished items. */
  keyCount(): number;
}

export function createKeyOrderedQueue<T>(): KeyOrderedQueue<T> {
  const chains = new Map<string, T[]>();
  let ready: T[] = [];
  let readyHead = 0;

  const makeReady = (item: T): void => {
    ready.push(item);
  };

  return {
    push(item, key) {
      const chain = chains.get(key);
      if (chain) {
        chain.push(item);
        return;
      }
      chains.set(key, [item]);
      makeReady(item);
    },
    take() {
      if (readyHead >= ready.length) return undefined;
      const item = ready[readyHead++];
      // Compact now and then instead of shifting on every take.
      if (readyHead > 1024 && readyHead * 2 > ready.length) {
        ready = ready.slice(readyHead);
        readyHead = 0;
      }
      return item;
    },
    finish(item, key) {
      const chain = chains.get(key);
      if (!chain || chain[0] !== item) throw new Error(`finished item is not the head of key ${key}`);
      chain.shift();
      const next = chain[0];
      if (next === undefined) chains.delete(key);
      else makeReady(next);
    },
    requeue: makeReady,
    readyCount: () => ready.length - readyHead,
    keyCount: () => chains.size,
  };
}
