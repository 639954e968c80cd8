// Counters behind GET /_sim/stats. Everything is incremented as it happens, so reading stats is
// cheap even with 100k idempotency keys (the per-key map is only serialised when asked for).

export interface FaultCounts {
  latency: number;
  rateLimited: number;
  random429: number;
  http5xx: number;
  hang: number;
  drop: number;
  afterEffect: number;
}

export interface IdempotencyCounts {
  replays: number;
  mismatches: number;
  inFlightConflicts: number;
}

export interface InvocationCounts {
  queued: number;
  running: number;
  completed: number;
  failed: number;
  cancelled: number;
}

export interface SimStats {
  seed: number;
  requests: Record<string, Record<string, number>>;
  effects: {
    total: number;
    distinctKeys: number;
    // Keys whose effect happened more than once: must stay empty when clients behave.
    duplicates: Record<string, number>;
    // Omitted when asked (GET /_sim/stats?byKey=false) to keep huge runs cheap to poll.
    byKey?: Record<string, number>;
  };
  triggersAccepted: number;
  invocations: InvocationCounts;
  sent429: number;
  tokensIssued: number;
  tokensRevoked: number;
  faultsInjected: FaultCounts;
  idempotency: IdempotencyCounts;
}

export interface StatsCounters {
  countRequest(template: string, outcome: number | string): void;
  requests(): Record<string, Record<string, number>>;
  faults: FaultCounts;
  idempotency: IdempotencyCounts;
  scalars: { triggersAccepted: number; sent429: number; tokensIssued: number; tokensRevoked: number };
  clear(): void;
}

const zeroFaults = (): FaultCounts => ({
  latency: 0,
  rateLimited: 0,
  random429: 0,
  http5xx: 0,
  hang: 0,
  drop: 0,
  afterEffect: 0,
});

export function createStatsCounters(): StatsCounters {
  const requests = new Map<string, Map<string, number>>();
  const counters: StatsCounters = {
    countRequest(template, outcome) {
      let byStatus = requests.get(template);
      if (!byStatus) {
        byStatus = new Map();
        requests.set(template, byStatus);
      }
      const key = String(outcome);
      byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
      if (outcome === 429) counters.scalars.sent429++;
    },
    requests() {
      const out: Record<string, Record<string, number>> = {};
      for (const [template, byStatus] of requests) out[template] = Object.fromEntries(byStatus);
      return out;
    },
    faults: zeroFaults(),
    idempotency: { replays: 0, mismatches: 0, inFlightConflicts: 0 },
    scalars: { triggersAccepted: 0, sent429: 0, tokensIssued: 0, tokensRevoked: 0 },
    clear() {
      requests.clear();
      counters.faults = zeroFaults();
      counters.idempotency = { replays: 0, mismatches: 0, inFlightConflicts: 0 };
      counters.scalars = { triggersAccepted: 0, sent429: 0, tokensIssued: 0, tokensRevoked: 0 };
    },
  };
  return counters;
}
