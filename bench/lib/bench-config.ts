/** The connector config of one benchmark run: its own group, output topics and route (so idempotency keys never repeat across runs). */
export type BenchMode = 'serial' | 'ceiling' | 'full';

export interface BenchConfigOptions {
  mode: BenchMode;
  /** Group id, topic prefix and route name. */
  name: string;
  bootstrap: string;
  registry: string;
  sim: string;
  input: string;
  metricsPort: number;
  /** The limiter's rate; without it the limiter is out of the way (the simulator has no limit then). */
  requestsPerSecond?: number;
}

/**
 * `BENCH_CONFIG='{"processing":{"maxInFlight":128}}'` merges settings into every
 * connector of a run, to measure what a setting changes.
 */
export function benchConfig(o: BenchConfigOptions): Record<string, unknown> {
  const patch = process.env.BENCH_CONFIG
    ? (JSON.parse(process.env.BENCH_CONFIG) as Record<string, unknown>)
    : {};
  return merge(baseConfig(o), patch);
}

function merge(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    out[key] = isRecord(current) && isRecord(value) ? merge(current, value) : value;
  }
  return out;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function baseConfig(o: BenchConfigOptions): Record<string, unknown> {
  return {
    kafka: {
      brokers: [o.bootstrap],
      groupId: o.name,
      inputTopics: [o.input],
      topics: {
        results: `${o.name}.results`,
        audit: `${o.name}.audit`,
        dlq: `${o.name}.dlq`,
        dedup: `${o.name}.dedup`,
      },
    },
    registry: { url: o.registry },
    cxone: {
      baseUrl: o.sim,
      allowInsecureHttp: true,
      auth: { clientId: 'sim-client', clientSecret: '${env:CXONE_CLIENT_SECRET}' },
      // As many connections as records may be in flight (processing.maxInFlight): none waits for a socket.
      connections: 256,
      // Off, so every event costs the same two calls (contact check + trigger) in every mode: with a
      // TTL the hit rate would depend on how fast a mode gets back to a contact, and skew the ratios.
      contactCacheTtlMs: 0,
      rateLimit:
        o.requestsPerSecond === undefined
          ? { requestsPerSecond: 100_000, burst: 1_000 }
          : { requestsPerSecond: o.requestsPerSecond },
    },
    routes: [{ name: o.name, journeyId: 'j-welcome', fields: { directives: 'properties' } }],
    // Partition-serial: the product with one record in flight per partition, every partition at once.
    processing: o.mode === 'serial' ? { maxInFlightPerPartition: 1 } : {},
    observability: { logLevel: 'warn', metricsPort: o.metricsPort, metricsHost: '127.0.0.1' },
  };
}
