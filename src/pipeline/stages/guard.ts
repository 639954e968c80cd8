/**
 * The guard between a mapped request and CXone: what the store (or a copy of the key in flight)
 * already knows, and the event's age, decide whether the call is made at all. Pure, so every
 * combination is a table test.
 */
import type { CallOutcome } from '../../cxone/call-outcome.ts';
import type { DedupEntry } from '../../contracts/records.ts';

/** Stored outcomes that had no effect in CXone: a later copy of the event is tried afresh, not a DUPLICATE. */
const TRIED_AGAIN_AFTER: ReadonlySet<string> = new Set(['REJECTED', 'FAILED']);

export type GuardDecision =
  /** Handled before with an effect: answered without a call. */
  | { kind: 'duplicate'; attempt: number; outcome: CallOutcome }
  /** Older than processing.maxEventAgeMs: no effect, and nothing remembered. */
  | { kind: 'expired'; attempt: number; outcome: CallOutcome }
  /** Call CXone, as attempt `attempt` (0 the first; n after n tries that had no effect). */
  | { kind: 'call'; attempt: number };

export interface GuardInput {
  /** What the key is known to have become: the dedup store's entry, or a copy's just decided. */
  seen: DedupEntry | undefined;
  /** How old the event is now; undefined when no maximum age is set. */
  ageMs: number | undefined;
  maxEventAgeMs: number | undefined;
}

export function guard({ seen, ageMs, maxEventAgeMs }: GuardInput): GuardDecision {
  // REJECTED and FAILED had no effect in CXone: the event, fixed, may be tried again.
  const done = seen !== undefined && !TRIED_AGAIN_AFTER.has(seen.outcome);
  const attempt = seen === undefined || done ? 0 : (seen.attempt ?? 0) + 1;
  if (done) {
    return {
      kind: 'duplicate',
      attempt,
      outcome: {
        outcome: 'DUPLICATE',
        attempts: 0,
        latencyMs: 0,
        detail: `already handled: ${seen.outcome}`,
      },
    };
  }
  if (ageMs !== undefined && maxEventAgeMs !== undefined && ageMs > maxEventAgeMs) {
    return {
      kind: 'expired',
      attempt,
      outcome: {
        outcome: 'EXPIRED',
        attempts: 0,
        latencyMs: 0,
        detail: `event is ${Math.round(ageMs / 1000)} s old, over processing.maxEventAgeMs (${maxEventAgeMs} ms)`,
      },
    };
  }
  return { kind: 'call', attempt };
}
