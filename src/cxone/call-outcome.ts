import type { CxoneError } from '../errors.ts';

/** What happened to one CXone effect. Stable strings: they are written to the results and audit topics. */
export const OUTCOMES = [
  'ACCEPTED',
  'DUPLICATE',
  'CONTACT_NOT_FOUND',
  'CONTACT_SUPPRESSED',
  'JOURNEY_INACTIVE',
  'REJECTED',
  'FAILED',
  // processing.maxEventAgeMs: too old to act on; no call was made
  'EXPIRED',
] as const;

export type Outcome = (typeof OUTCOMES)[number];

export interface CallOutcome {
  outcome: Outcome;
  /** How many times the effectful request was sent (0 when a pre-check stopped it). */
  attempts: number;
  latencyMs: number;
  httpStatus?: number;
  /** CXone's id for the effect (trigger id, invoke id). */
  reference?: string;
  detail?: string;
  /** For REJECTED and FAILED: the error that ended the call. */
  error?: CxoneError;
  /** Data actions: the typed outputs of a completed invocation. */
  outputs?: Record<string, unknown>;
  /** The exact JSON body sent to CXone, for the audit hash. */
  sentBody?: string;
  /**
   * CXone answered with the stored response of an earlier request with the same
   * Idempotency-Key (a retry, or a replay after a crash): the effect happened once.
   * Still ACCEPTED: DUPLICATE is reserved for the connector's own dedup store.
   */
  replayed?: boolean;
}
