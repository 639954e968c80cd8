/**
 * The timers a connector hands to its supervisor and workers (`schedule`),
 * kept in one set so shutdown can cancel whatever is still pending.
 */
export interface TimerSet {
  /** Runs `fn` after `ms`; returns a cancel function. */
  schedule: (fn: () => void, ms: number) => () => void;
  clear: () => void;
}

export function createTimerSet(): TimerSet {
  const timers = new Set<NodeJS.Timeout>();
  return {
    schedule: (fn, ms) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        fn();
      }, ms);
      timers.add(timer);
      return () => {
        clearTimeout(timer);
        timers.delete(timer);
      };
    },
    clear: () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
