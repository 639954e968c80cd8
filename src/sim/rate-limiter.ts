// Hard rate limit: a token bucket over all /api requests (token endpoints included), like a
// tenant-wide gateway limit. Refilled continuously at rps, holding at most burst tokens.

export type Admit = { ok: true } | { ok: false; retryAfterS: number };

export interface TokenBucket {
  take(rps: number, burst: number): Admit;
  reset(): void;
}

export function createTokenBucket(now: () => number): TokenBucket {
  let tokens = Number.NaN;
  let last = 0;
  return {
    take(rps, burst) {
      if (rps <= 0) return { ok: true };
      const capacity = burst > 0 ? burst : Math.max(1, rps);
      const at = now();
      tokens = Number.isNaN(tokens) ? capacity : Math.min(capacity, tokens + ((at - last) / 1000) * rps);
      last = at;
      if (tokens >= 1) {
        tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - tokens) / rps)) };
    },
    reset() {
      tokens = Number.NaN;
    },
  };
}
