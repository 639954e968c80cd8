import {
  mergeConfig,
  ownTopics,
  stackConnectorConfig,
  type RawConfig,
} from '../../devkit/stack-connector-config.ts';

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
  /** Settings merged over the base (a fleet run's concurrency bound). */
  extra?: RawConfig;
}

/**
 * `BENCH_CONFIG='{"processing":{"maxInFlight":128}}'` merges settings into every
 * connector of a run, to measure what a setting changes.
 */
export function benchConfig(o: BenchConfigOptions): RawConfig {
  const patch = process.env.BENCH_CONFIG ? (JSON.parse(process.env.BENCH_CONFIG) as RawConfig) : {};
  return mergeConfig(mergeConfig(baseConfig(o), o.extra ?? {}), patch);
}

function baseConfig(o: BenchConfigOptions): RawConfig {
  return stackConnectorConfig(
    {
      endpoints: { bootstrap: o.bootstrap, registry: o.registry, sim: o.sim },
      groupId: o.name,
      input: o.input,
      topics: ownTopics(o.name),
      clientSecret: '${env:CXONE_CLIENT_SECRET}',
      routeName: o.name,
    },
    {
      cxone: {
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
      // Partition-serial: the product with one record in flight per partition, every partition at once.
      processing: o.mode === 'serial' ? { maxInFlightPerPartition: 1 } : {},
      observability: { metricsPort: o.metricsPort },
    },
  );
}
