/**
 * The CXone circuit breaker: after `consecutiveFailures` retryable failures in
 * a row (5xx, timeouts, network; never 429, which the rate limiter handles,
 * nor 409) it opens and calls fail fast with CXONE_CIRCUIT_OPEN, so the
 * pipeline can pause consumption instead of burning retries during an outage.
 * After `halfOpenAfterMs` one probe goes through; success closes it.
 *
 * Built on cockatiel's breaker. cockatiel only leaves the open state when a
 * call arrives, but a paused pipeline sends none; so a timer announces
 * `half-open` when the wait is over, which tells the pipeline to resume and
 * lets its first request be the probe.
 */
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  IsolatedCircuitError,
} from 'cockatiel';
import { CxoneError } from '../errors.ts';
import type { ConnectorMetrics } from '../observability/metrics.ts';

export interface CircuitBreakerOptions {
  /** Consecutive retryable failures (5xx, timeouts, network; not 429) that open the circuit. */
  consecutiveFailures: number;
  /** How long the circuit stays open before one probe request is let through. */
  halfOpenAfterMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreaker {
  state(): BreakerState;
  isOpen(): boolean;
  /** Calls `listener` on every state change; returns an unsubscribe function. */
  onStateChange(listener: (state: BreakerState) => void): () => void;
  /**
   * Runs `fn` unless the circuit is open. An error for which `isFailure` is
   * false (a 4xx, a 429) proves CXone is up, so it counts as a success.
   */
  execute<T>(fn: () => Promise<T>, isFailure: (error: unknown) => boolean): Promise<T>;
}

const BREAKER_STATES: readonly BreakerState[] = ['closed', 'half-open', 'open'];

class CountedFailure extends Error {
  readonly original: unknown;
  constructor(original: unknown) {
    super('counted failure');
    this.original = original;
  }
}

/** Carries an uncounted error out of cockatiel as a successful result. */
interface Uncounted {
  readonly uncounted: unknown;
}

export function createCircuitBreaker(
  config: CircuitBreakerOptions,
  deps: { metrics?: ConnectorMetrics } = {},
): CircuitBreaker {
  const policy = circuitBreaker(
    handleWhen((error) => error instanceof CountedFailure),
    { halfOpenAfter: config.halfOpenAfterMs, breaker: new ConsecutiveBreaker(config.consecutiveFailures) },
  );
  const listeners = new Set<(state: BreakerState) => void>();
  let current: BreakerState = 'closed';
  let timer: NodeJS.Timeout | undefined;

  // One series per state, 1 for the current one: `{state="open"} == 1` reads as what it means.
  function showState(state: BreakerState): void {
    for (const each of BREAKER_STATES)
      deps.metrics?.cxoneBreakerState.set({ state: each }, each === state ? 1 : 0);
  }

  function set(next: BreakerState): void {
    if (next === current) return;
    current = next;
    showState(next);
    deps.metrics?.cxoneBreakerTransitions.inc({ state: next });
    for (const listener of listeners) listener(next);
  }

  policy.onStateChange((state) => {
    clearTimeout(timer);
    if (state === CircuitState.Open) {
      set('open');
      timer = setTimeout(() => set('half-open'), config.halfOpenAfterMs);
      timer.unref();
    } else if (state === CircuitState.HalfOpen) set('half-open');
    else if (state === CircuitState.Closed) set('closed');
  });
  showState('closed');

  return {
    state: () => current,
    isOpen: () => current === 'open',
    onStateChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async execute<T>(fn: () => Promise<T>, isFailure: (error: unknown) => boolean): Promise<T> {
      let result: { value: T } | Uncounted;
      try {
        result = await policy.execute(async () => {
          try {
            return { value: await fn() };
          } catch (error) {
            if (isFailure(error)) throw new CountedFailure(error);
            return { uncounted: error };
          }
        });
      } catch (error) {
        if (error instanceof CountedFailure) throw error.original;
        if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
          throw new CxoneError(
            'CXONE_CIRCUIT_OPEN',
            `CXone looks down (${config.consecutiveFailures} failures in a row): calls are paused for ${config.halfOpenAfterMs} ms before a probe; check CXone status and cxone.baseUrl`,
            { retryable: true, retryAfterMs: config.halfOpenAfterMs, cause: error },
          );
        }
        throw error;
      }
      if ('uncounted' in result) throw result.uncounted;
      return result.value;
    },
  };
}
