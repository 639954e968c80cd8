/**
 * The fleet benchmark: instances of one consumer group against a tenant
 * limit the simulator enforces, the connector configured with that limit for
 * the whole group (cxone.rateLimit), in phases of 1, 2 and 4 instances and then
 * 4 → 2 while under load, each measured over a window after it settled. Then a
 * scaling run without a limit at a slow CXone (200 ms) and a fixed concurrency
 * per instance, where concurrency, not CPU, is the bound: events/s with 1, 2
 * and 4 instances.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import { startConnector, waitReady, type BenchConnector, type ConnectorHost } from './bench-connector.ts';
import { setSimFaults, simCounts } from './sim-counts.ts';

export interface FleetPhase {
  instances: number;
  achieved_rps: number;
  ratio_429: number;
}

export interface FleetResult {
  fleet_allowed_rps: number;
  fleet_phases: FleetPhase[];
  fleet_min_achieved_ratio: number;
  fleet_max_429_ratio: number;
  scale_latency_ms: number;
  scale_max_in_flight: number;
  scale_eps: Record<string, number>;
  scale_ratio_2: number;
  scale_ratio_4: number;
}

export interface FleetOptions {
  limitRps: number;
  /** Measured after each phase has settled this long, over this long. */
  settleSeconds: number;
  windowSeconds: number;
  /** The simulator latency restored after the scaling run. */
  baseLatencyMs: number;
}

const say = (line: string) =>
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

export async function runFleet(host: ConnectorHost, admin: Admin, opt: FleetOptions): Promise<FleetResult> {
  const simUrl = host.stack.sim?.url ?? '';
  const phases: FleetPhase[] = [];
  const fleet: BenchConnector[] = [];
  await setSimFaults(simUrl, { rateLimitRps: opt.limitRps, rateLimitBurst: 0 });
  const start = async (n: number): Promise<void> => {
    while (fleet.length < n) {
      const connector = await startConnector(host, 'full', `fleet-${fleet.length}`, {
        group: 'fleet',
        requestsPerSecond: opt.limitRps,
      });
      await waitReady(connector.metricsPort);
      fleet.push(connector);
    }
  };
  const measure = async (instances: number): Promise<void> => {
    await sleep(opt.settleSeconds * 1000);
    const before = await simCounts(simUrl);
    await sleep(opt.windowSeconds * 1000);
    const after = await simCounts(simUrl);
    const requests = after.requests - before.requests;
    const tooMany = after.tooMany - before.tooMany;
    const phase = {
      instances,
      achieved_rps: round((requests - tooMany) / ((after.atMs - before.atMs) / 1000), 1),
      ratio_429: requests === 0 ? Number.NaN : round(tooMany / requests, 4),
    };
    phases.push(phase);
    say(
      `fleet: ${instances} instance(s): ${phase.achieved_rps} requests/s admitted of ${opt.limitRps}, ${(phase.ratio_429 * 100).toFixed(2)}% 429`,
    );
  };
  try {
    say(
      `fleet: the simulator allows ${opt.limitRps} requests/s; every instance is configured with that, for the group`,
    );
    for (const n of [1, 2, 4]) {
      await start(n);
      await measure(n);
    }
    // Scale in while under load: two instances drain and leave, the other two take their partitions and shares.
    await Promise.all(fleet.splice(2).map((c) => c.stop()));
    await measure(2);
  } finally {
    await Promise.all(fleet.map((c) => c.stop()));
    await setSimFaults(simUrl, { rateLimitRps: 0 });
  }

  const latencyMs = 200;
  const maxInFlight = 32;
  await setSimFaults(simUrl, { latencyMs });
  const scale: Record<string, number> = {};
  try {
    for (const n of [1, 2, 4]) scale[String(n)] = await scaleRun(host, admin, n, maxInFlight, opt);
  } finally {
    await setSimFaults(simUrl, { latencyMs: opt.baseLatencyMs });
  }
  const achieved = phases.map((p) => p.achieved_rps / opt.limitRps);
  return {
    fleet_allowed_rps: opt.limitRps,
    fleet_phases: phases,
    fleet_min_achieved_ratio: round(Math.min(...achieved), 3),
    fleet_max_429_ratio: round(Math.max(...phases.map((p) => p.ratio_429)), 4),
    scale_latency_ms: latencyMs,
    scale_max_in_flight: maxInFlight,
    scale_eps: scale,
    scale_ratio_2: round((scale['2'] ?? NaN) / (scale['1'] ?? NaN), 2),
    scale_ratio_4: round((scale['4'] ?? NaN) / (scale['1'] ?? NaN), 2),
  };
}

/** Events/s a group of `n` instances commits, each with `maxInFlight` records in flight at most. */
async function scaleRun(
  host: ConnectorHost,
  admin: Admin,
  n: number,
  maxInFlight: number,
  opt: FleetOptions,
): Promise<number> {
  const group = `scale-${n}`;
  const connectors: BenchConnector[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const connector = await startConnector(host, 'full', `${group}-${i}`, {
        group,
        extra: { processing: { maxInFlight } },
      });
      await waitReady(connector.metricsPort);
      connectors.push(connector);
    }
    await sleep(opt.settleSeconds * 1000);
    const groupId = `${host.runId}-${group}`;
    const before = { at: performance.now(), committed: await committed(admin, groupId, host.input) };
    await sleep(opt.windowSeconds * 2 * 1000);
    const after = { at: performance.now(), committed: await committed(admin, groupId, host.input) };
    const eps = round((after.committed - before.committed) / ((after.at - before.at) / 1000), 1);
    say(`scale: ${n} instance(s), ${maxInFlight} in flight each, CXone at ${200} ms: ${eps} events/s`);
    return eps;
  } finally {
    await Promise.all(connectors.map((c) => c.stop()));
  }
}

async function committed(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

function round(n: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
