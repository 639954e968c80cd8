// The effect ledger: every accepted trigger and every invocation is an effect in the simulated
// tenant, counted under its idempotency key. A count above 1 is a doubled effect, which the
// connector promises never to cause; the ledger counts honestly so tests can catch it.
// The first request of each effect (body and headers, Authorization removed) is kept for
// GET /_sim/effects/{key}, up to a bound so load tests do not exhaust memory.

export interface EffectRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body: unknown;
  receivedAt: string;
}

export interface EffectRecord {
  key: string;
  count: number;
  first?: EffectRequest;
}

export interface EffectLedger {
  record(key: string, request: () => EffectRequest): number;
  get(key: string): EffectRecord | undefined;
  total(): number;
  distinctKeys(): number;
  duplicates(): Record<string, number>;
  byKey(): Record<string, number>;
  clear(): void;
}

const HIDDEN_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

export function redactHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HIDDEN_HEADERS.has(name)) out[name] = value;
  }
  return out;
}

export function createEffectLedger(maxRetained: number): EffectLedger {
  const counts = new Map<string, number>();
  const firsts = new Map<string, EffectRequest>();
  const duplicates = new Map<string, number>();
  let total = 0;

  return {
    record(key, request) {
      total++;
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      if (count > 1) duplicates.set(key, count);
      else if (firsts.size < maxRetained) firsts.set(key, request());
      return count;
    },
    get(key) {
      const count = counts.get(key);
      if (count === undefined) return undefined;
      const first = firsts.get(key);
      return first ? { key, count, first } : { key, count };
    },
    total: () => total,
    distinctKeys: () => counts.size,
    duplicates: () => Object.fromEntries(duplicates),
    byKey: () => Object.fromEntries(counts),
    clear() {
      counts.clear();
      firsts.clear();
      duplicates.clear();
      total = 0;
    },
  };
}
