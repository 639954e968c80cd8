/**
 * The one request-rate limiter of a CXone tenant. Every request the connector
 * sends (token, pre-checks, triggers, definitions, invokes, polls) passes
 * through `acquire`, because the tenant's limit counts them all (seed 002
 * "Error: 429": "cascading polling loops often trigger this").
 *
 * Scheduling is GCRA (a token bucket kept as one timestamp): each caller
 * reserves the next slot and sleeps until it, so waiters are served in order
 * and no timer polls. The allowed rate adapts AIMD-style: a 429 multiplies it
 * by `decreaseFactor` (at most once per cooldown, since one overload answers
 * many in-flight requests at once), then it climbs back additively, by
 * `recoveryPerSecond` (default a tenth of the configured rate) each second, to the configured rate.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { CxoneRateLimitConfig } from '../config/schema.ts';
import type { ConnectorMetrics } from '../observability/metrics.ts';

export interface RateLimiter {
  /** Resolves when the caller may send; rejects with the signal's reason if aborted while waiting. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** CXone answered 429: slow down. */
  onRateLimited(): void;
  /** The currently allowed requests/second. */
  allowedRate(): number;
}

export interface RateLimiterDeps {
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  metrics?: ConnectorMetrics;
}

export function createRateLimiter(config: CxoneRateLimitConfig, deps: RateLimiterDeps = {}): RateLimiter {
  const now = deps.now ?? (() => performance.now());
  const wait =
    deps.sleep ?? ((ms: number, signal?: AbortSignal) => sleep(ms, undefined, signal ? { signal } : {}));
  const ceiling = config.requestsPerSecond;
  const floor = Math.min(config.minRequestsPerSecond, ceiling);
  const recoveryPerSecond = config.recoveryPerSecond ?? ceiling / 10;
  let rate = ceiling;
  let rateAt = now();
  let lastDecreaseAt = -Infinity;
  // Theoretical arrival time of the next request: the whole bucket state.
  let tat = now();

  function currentRate(t: number): number {
    if (rate < ceiling) {
      rate = Math.min(ceiling, rate + (recoveryPerSecond * (t - rateAt)) / 1000);
    }
    rateAt = t;
    return rate;
  }

  function report(t: number): void {
    deps.metrics?.cxoneAllowedRate.set(currentRate(t));
  }

  report(rateAt);

  return {
    async acquire(signal) {
      signal?.throwIfAborted();
      const t = now();
      const interval = 1000 / currentRate(t);
      const tolerance = (config.burst - 1) * interval;
      const base = Math.max(tat, t);
      tat = base + interval;
      const delayMs = base - tolerance - t;
      if (delayMs <= 0) return;
      deps.metrics?.cxoneLimiterWaits.inc();
      deps.metrics?.cxoneLimiterWaitSeconds.inc(delayMs / 1000);
      await wait(delayMs, signal);
    },
    onRateLimited() {
      const t = now();
      if (t - lastDecreaseAt < config.decreaseCooldownMs) return;
      lastDecreaseAt = t;
      rate = Math.max(floor, currentRate(t) * config.decreaseFactor);
      // Slots already handed out were spaced for the old rate; later ones follow the new one.
      report(t);
    },
    allowedRate() {
      const r = currentRate(now());
      deps.metrics?.cxoneAllowedRate.set(r);
      return r;
    },
  };
}
