/**
 * The Idempotency-Key a request is sent to CXone with. An effect's first
 * attempt uses its idempotency key; when an earlier attempt ended REJECTED or
 * FAILED (no effect in CXone) and the event comes back fixed (re-published,
 * or replayed from the DLQ), it is tried afresh as `<key>~<n>`: CXone would
 * otherwise answer the same key with its stored refusal, or refuse a changed
 * body under a used key. The attempt number comes from the dedup store, so a
 * crash between the call and the commit retries the same `<key>~<n>`, which
 * CXone absorbs.
 */
import type { JourneyTriggerRequest } from './journey-trigger-request.ts';
import type { DataActionRequest } from './data-action-request.ts';

export function cxoneKey(idempotencyKey: string, attempt: number): string {
  return attempt === 0 ? idempotencyKey : `${idempotencyKey}~${attempt}`;
}

/** The request as it is sent under `key`: the header, and for a trigger the body's deduplicationId too. */
export function withCxoneKey<R extends JourneyTriggerRequest | DataActionRequest>(
  request: R,
  key: string,
): R {
  if (key === request.idempotencyKey) return request;
  if (request.kind === 'data-action') return { ...request, idempotencyKey: key };
  const body = { ...request.body, deduplicationId: key };
  return { ...request, idempotencyKey: key, body, serializedBody: JSON.stringify(body) };
}
