/**
 * The one retry loop: exponential backoff with full jitter, Retry-After
 * honoured when the error carries one, a bound on total elapsed time, and
 * cancellation through an AbortSignal (shutdown must not wait out a backoff).
 */
import { ConnectorError, CxoneError } from '../errors.ts';
import { setTimeout as sleep } from 'node:timers/promises';

/** A retry policy as data: validated at the edge (config), read only here. */
export interface RetryPolicy {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  multiplier: number;
  /** Bound on the total time one call may spend retrying, Retry-After waits included. */
  maxElapsedMs: number;
}

export interface RetryDeps {
  now: () => number;
  random: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export const defaultRetryDeps: RetryDeps = {
  now: () => Date.now(),
  random: Math.random,
  sleep: async (ms, signal) => {
    await sleep(ms, undefined, signal ? { signal } : undefined);
  },
};

export interface RetryResult<T> {
  value: T;
  attempts: number;
}

export function backoffDelayMs(policy: RetryPolicy, attempt: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

export async function withRetry<T>(
  policy: RetryPolicy,
  operation: (attempt: number) => Promise<T>,
  options: {
    signal?: AbortSignal;
    deps?: RetryDeps;
    onRetry?: (error: ConnectorError, delayMs: number) => void;
  } = {},
): Promise<RetryResult<T>> {
  const deps = options.deps ?? defaultRetryDeps;
  const started = deps.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await operation(attempt), attempts: attempt };
    } catch (error) {
      if (!(error instanceof ConnectorError) || !error.retryable) throw error;
      if (options.signal?.aborted) throw error;
      const delayMs = error.retryAfterMs ?? backoffDelayMs(policy, attempt, deps.random);
      const elapsed = deps.now() - started;
      if (attempt >= policy.maxAttempts || elapsed + delayMs > policy.maxElapsedMs) {
        throw new CxoneError(
          'CXONE_RETRIES_EXHAUSTED',
          `gave up after ${attempt} attempt(s) in ${elapsed} ms: ${error.message}`,
          { cause: error, retryable: true },
        );
      }
      options.onRetry?.(error, delayMs);
      await deps.sleep(delayMs, options.signal);
    }
  }
}
