/**
 * The one request-rate limiter of a CXone tenant. Every request the connector
 * sends (token, pre-checks, triggers, definitions, invokes, polls) passes
 * through `acquire`, because the tenant's limit counts them all (seed 002
 * "Error: 429": "cascading polling loops often trigger this").
 *
 * Scheduling is GCRA (a token bucket kept as one timestamp) with a FIFO of
 * waiters released by one timer. A waiter's slot is decided when it is
 * released, not when it arrives, so a slow-down applies at once to everyone
 * already waiting (reserving slots up front would send a whole queue's worth
 * at the old rate after a 429). The allowed rate adapts AIMD-style: a 429
 * multiplies it by `decreaseFactor` and empties the burst allowance (the
 * tenant's bucket is empty), at most once per cooldown since one overload
 * answers many in-flight requests at once; then it climbs back additively, by
 * `recoveryPerSecond` (default a tenth of the configured rate) each second, to
 * the configured rate.
 *
 * The configured rate is the tenant's limit for the whole consumer group; this
 * instance holds `share` of it (its fraction of the input partitions, set on
 * every rebalance): rate, burst and recovery are all scaled by it, so the
 * instances of a group never add up to more than the tenant allows. A share of
 * 0 (no partitions) sends nothing until a share is given again.
 */
import type { ConnectorMetrics } from '../observability/metrics.ts';

export interface RateLimiterOptions {
  requestsPerSecond: number;
  burst: number;
  /** On a 429 the allowed rate is multiplied by this, at most once per cooldown. */
  decreaseFactor: number;
  decreaseCooldownMs: number;
  /** Climb back by this many requests/second each second; default a tenth of requestsPerSecond. */
  recoveryPerSecond?: number | undefined;
  minRequestsPerSecond: number;
}

export interface RateLimiter {
  /** Resolves when the caller may send; rejects with the signal's reason if aborted while waiting. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** CXone answered 429: slow down. */
  onRateLimited(): void;
  /** The currently allowed requests/second. */
  allowedRate(): number;
  /** This instance's fraction (0..1) of the group-wide limit. */
  setShare(share: number): void;
  share(): number;
}

export interface RateLimiterDeps {
  now?: () => number;
  /** Runs `fn` after `ms`; returns a cancel function. */
  setTimer?: (fn: () => void, ms: number) => () => void;
  metrics?: ConnectorMetrics;
}

interface Waiter {
  enqueuedAt: number;
  resolve: () => void;
  detach: () => void;
}

export function createRateLimiter(config: RateLimiterOptions, deps: RateLimiterDeps = {}): RateLimiter {
  const now = deps.now ?? (() => performance.now());
  const setTimer =
    deps.setTimer ??
    ((fn: () => void, ms: number) => {
      const timer = setTimeout(fn, ms);
      return () => clearTimeout(timer);
    });
  let share = 1;
  let ceiling = config.requestsPerSecond;
  const floorOf = (): number => Math.min(config.minRequestsPerSecond * share, ceiling);
  const recoveryOf = (): number => (config.recoveryPerSecond ?? config.requestsPerSecond / 10) * share;
  let rate = ceiling;
  let rateAt = now();
  let lastDecreaseAt = -Infinity;
  // Theoretical arrival time of the next request: the whole bucket state.
  let tat = now();
  const waiters: Waiter[] = [];
  let cancelTimer: (() => void) | undefined;

  function currentRate(t: number): number {
    if (rate < ceiling) {
      rate = Math.min(ceiling, rate + (recoveryOf() * (t - rateAt)) / 1000);
    }
    rateAt = t;
    return rate;
  }

  const intervalAt = (t: number) => 1000 / currentRate(t);
  const toleranceFor = (interval: number) => (Math.max(1, config.burst * share) - 1) * interval;

  /** Takes a slot if one is free at `t`. */
  function tryTake(t: number): boolean {
    if (ceiling <= 0) return false;
    const interval = intervalAt(t);
    if (tat - toleranceFor(interval) > t) return false;
    tat = Math.max(tat, t) + interval;
    return true;
  }

  function releaseDue(): void {
    cancelTimer = undefined;
    const t = now();
    while (waiters.length > 0 && tryTake(t)) {
      const waiter = waiters.shift() as Waiter;
      waiter.detach();
      deps.metrics?.cxoneLimiterWaitSeconds.inc((t - waiter.enqueuedAt) / 1000);
      waiter.resolve();
    }
    arm();
  }

  function arm(): void {
    if (cancelTimer || waiters.length === 0 || ceiling <= 0) return;
    const t = now();
    const interval = intervalAt(t);
    cancelTimer = setTimer(releaseDue, Math.max(0, tat - toleranceFor(interval) - t));
  }

  deps.metrics?.cxoneAllowedRate.set(rate);

  return {
    acquire(signal) {
      signal?.throwIfAborted();
      if (waiters.length === 0 && tryTake(now())) return Promise.resolve();
      deps.metrics?.cxoneLimiterWaits.inc();
      return new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const index = waiters.indexOf(waiter);
          if (index >= 0) waiters.splice(index, 1);
          reject(signal?.reason as Error);
        };
        const waiter: Waiter = {
          enqueuedAt: now(),
          resolve,
          detach: () => signal?.removeEventListener('abort', onAbort),
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiters.push(waiter);
        arm();
      });
    },
    onRateLimited() {
      const t = now();
      if (t - lastDecreaseAt < config.decreaseCooldownMs) return;
      lastDecreaseAt = t;
      rate = Math.max(floorOf(), currentRate(t) * config.decreaseFactor);
      // The tenant's bucket is empty: no burst until it has had time to refill.
      const interval = 1000 / rate;
      tat = Math.max(tat, t + toleranceFor(interval));
      deps.metrics?.cxoneAllowedRate.set(rate);
      // The waiters' timer was set for the old rate.
      cancelTimer?.();
      cancelTimer = undefined;
      arm();
    },
    allowedRate() {
      const r = ceiling > 0 ? currentRate(now()) : 0;
      deps.metrics?.cxoneAllowedRate.set(r);
      return r;
    },
    setShare(next) {
      const bounded = Math.min(1, Math.max(0, next));
      if (bounded === share) return;
      const t = now();
      // Where AIMD had slowed down, the new share keeps the same fraction of its ceiling.
      const fraction = ceiling > 0 ? currentRate(t) / ceiling : 1;
      share = bounded;
      ceiling = config.requestsPerSecond * share;
      rate = ceiling * fraction;
      rateAt = t;
      deps.metrics?.cxoneRateShare.set(share);
      deps.metrics?.cxoneAllowedRate.set(rate);
      cancelTimer?.();
      cancelTimer = undefined;
      arm();
    },
    share: () => share,
  };
}
