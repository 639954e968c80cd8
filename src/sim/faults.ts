// Random fault injection for /api requests, drawn from a seeded PRNG. One uniform number picks at
// most one fault per request (rate429, then rate5xx, rateHang, rateDrop), so each rate is exact.
// On effectful POSTs, 5xx, hang and drop land after the effect in faultAfterEffectRatio of cases:
// the effect happened but its response is lost, the case that makes idempotency keys matter.
// A random 429 always comes before the effect: a 429 says the request was not processed.
import type { Random } from './random.ts';
import type { RuntimeOptions } from './options.ts';

export type FaultKind = '429' | '5xx' | 'hang' | 'drop';

export interface Fault {
  kind: FaultKind;
  afterEffect: boolean;
  status: number;
}

const STATUSES_5XX = [500, 502, 503] as const;

export function drawFault(random: Random, o: RuntimeOptions, effectful: boolean): Fault | undefined {
  if (o.rate429 + o.rate5xx + o.rateHang + o.rateDrop === 0) return undefined;
  const u = random();
  let kind: FaultKind;
  if (u < o.rate429) kind = '429';
  else if (u < o.rate429 + o.rate5xx) kind = '5xx';
  else if (u < o.rate429 + o.rate5xx + o.rateHang) kind = 'hang';
  else if (u < o.rate429 + o.rate5xx + o.rateHang + o.rateDrop) kind = 'drop';
  else return undefined;
  const afterEffect = effectful && kind !== '429' && random() < o.faultAfterEffectRatio;
  const status =
    kind === '429' ? 429 : kind === '5xx' ? STATUSES_5XX[Math.floor(random() * STATUSES_5XX.length)]! : 0;
  return { kind, afterEffect, status };
}

export function drawLatencyMs(random: Random, o: RuntimeOptions): number {
  if (o.latencyJitterMs <= 0) return o.latencyMs;
  const u = random();
  const jitter =
    o.latencyDistribution === 'exponential' ? -Math.log(1 - u) * o.latencyJitterMs : u * o.latencyJitterMs;
  return o.latencyMs + jitter;
}

// Retry-After in either form RFC 9110 allows: delay-seconds or an HTTP-date.
export function retryAfterValue(
  seconds: number,
  format: RuntimeOptions['retryAfterFormat'],
  nowMs: number,
): string {
  if (format === 'seconds') return String(seconds);
  // An HTTP-date has whole seconds: round up so the client never retries early.
  return new Date(Math.ceil((nowMs + seconds * 1000) / 1000) * 1000).toUTCString();
}
