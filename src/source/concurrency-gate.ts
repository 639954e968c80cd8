/**
 * The instance-wide bound on records in flight (`processing.maxInFlight`),
 * shared by every partition worker. Synchronous on the hot path: a worker
 * takes a slot with `tryAcquire` and, when none is free, queues a callback
 * that is handed the next released slot. Handing the slot over (instead of
 * waking everyone to race for it) keeps partitions served in turn.
 */
export interface ConcurrencyGate {
  tryAcquire(): boolean;
  release(): void;
  /**
   * Calls `onSlot` once, with a slot already taken for the caller, when one is
   * released. The caller must use it or `release` it.
   */
  waitForSlot(onSlot: () => void): void;
  inUse(): number;
}

export function createConcurrencyGate(limit: number, onChange?: (inUse: number) => void): ConcurrencyGate {
  let inUse = 0;
  const waiting: (() => void)[] = [];
  return {
    tryAcquire() {
      if (inUse >= limit) return false;
      inUse++;
      onChange?.(inUse);
      return true;
    },
    release() {
      const next = waiting.shift();
      if (next) {
        next();
        return;
      }
      inUse--;
      onChange?.(inUse);
    },
    waitForSlot(onSlot) {
      waiting.push(onSlot);
    },
    inUse: () => inUse,
  };
}
