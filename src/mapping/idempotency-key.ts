import { createHash } from 'node:crypto';

const SAFE_EVENT_ID = /^[A-Za-z0-9._:-]{1,200}$/;

/**
 * The idempotency key of one effect: the route plus the event's identity. It is
 * readable where the event id is header-safe (data teams search the audit topic
 * for it) and a SHA-256 otherwise, so any event id makes a valid HTTP header.
 * The same event on the same route always yields the same key, across
 * processes and restarts; that is what CXone and the dedup store rely on.
 */
export function deriveIdempotencyKey(routeName: string, eventId: string): string {
  if (SAFE_EVENT_ID.test(eventId)) return `${routeName}:${eventId}`;
  return `${routeName}:sha256:${createHash('sha256').update(eventId, 'utf8').digest('hex')}`;
}
