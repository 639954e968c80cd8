// Idempotency-Key handling after the IETF httpapi draft "The Idempotency-Key HTTP Header Field":
// - first request with a key: processed, and its (successful) response stored with a fingerprint;
// - same key, same fingerprint: the stored response again, no second effect;
// - same key, different fingerprint: 422 (key reused for another request);
// - same key while the first is still being processed: 409.
// Only 2xx responses are stored: an error left no effect, so a retry must be evaluated afresh.
// The fingerprint hashes method, path and raw body bytes, so one key cannot be replayed on another
// resource. Keys expire after idempotencyTtlS.
import { createHash } from 'node:crypto';
import type { Reply } from './http-io.ts';

type Entry =
  | { state: 'in-flight'; fingerprint: string }
  | { state: 'done'; fingerprint: string; reply: Reply; expiresAt: number };

export type Admission =
  { kind: 'new' } | { kind: 'replay'; reply: Reply } | { kind: 'mismatch' } | { kind: 'in-flight' };

export interface IdempotencyStore {
  admit(key: string, fingerprint: string): Admission;
  complete(key: string, reply: Reply, ttlMs: number): void;
  abandon(key: string): void;
  size(): number;
  clear(): void;
}

export function fingerprint(method: string, path: string, body: Buffer): string {
  return createHash('sha256').update(`${method} ${path}\n`).update(body).digest('base64url');
}

export function createIdempotencyStore(now: () => number): IdempotencyStore {
  const entries = new Map<string, Entry>();

  // Completed entries are re-inserted at completion, so the map is roughly in expiry order.
  function pruneExpired(at: number): void {
    for (const [key, entry] of entries) {
      if (entry.state === 'in-flight') continue;
      if (entry.expiresAt > at) return;
      entries.delete(key);
    }
  }

  return {
    admit(key, fp) {
      const at = now();
      const entry = entries.get(key);
      if (entry?.state === 'done' && entry.expiresAt <= at) entries.delete(key);
      else if (entry) {
        if (entry.fingerprint !== fp) return { kind: 'mismatch' };
        return entry.state === 'in-flight' ? { kind: 'in-flight' } : { kind: 'replay', reply: entry.reply };
      }
      entries.set(key, { state: 'in-flight', fingerprint: fp });
      return { kind: 'new' };
    },
    complete(key, reply, ttlMs) {
      const entry = entries.get(key);
      if (!entry) return;
      const at = now();
      entries.delete(key);
      entries.set(key, { state: 'done', fingerprint: entry.fingerprint, reply, expiresAt: at + ttlMs });
      pruneExpired(at);
    },
    abandon(key) {
      if (entries.get(key)?.state === 'in-flight') entries.delete(key);
    },
    size: () => entries.size,
    clear: () => entries.clear(),
  };
}
