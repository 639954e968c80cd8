/**
 * What one benchmark run does on the real stack: fills the input topic, warms
 * the broker up, then runs each requested mode as its own connector process
 * and measures it (throughput, latency at a steady load, the rate-limited
 * runs). Returns the raw measurements; bench-report.ts turns them into the
 * summary and the table.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { createCdpEventEncoder, generateEvents, produceEvents } from '../../devkit/cdp-events.ts';
import { readStackState, startStack, type StackHandle } from '../../devkit/stack/index.ts';
import type { BenchMode } from './bench-config.ts';
import { startConnector, waitReady } from './bench-connector.ts';
import { runFleet, type FleetResult } from './fleet-run.ts';
import { measureRebalance, type RebalanceCost } from './rebalance-run.ts';
import { trackProgress, windowBetween, type ProgressSample, type Window } from './group-progress.ts';
import { measureLatency, type LatencyResult } from './latency-probe.ts';
import { memoryMb } from './process-probe.ts';
import { setSimFaults, simCounts, type SimCounts } from './sim-counts.ts';
import { stageTimings, type StageTimings } from './stage-timings.ts';
import { createTopics } from '../../src/kafka/create-topics.ts';
import { runState, type StateResult } from './state-run.ts';

export interface BenchOptions {
  events: number;
  partitions: number;
  contacts: number;
  latencyMs: number;
  serialSeconds: number;
  /** Events through a throw-away run first, so the broker's JIT is warm when the timing starts. */
  warmupEvents: number;
  limitRps: number;
  ratelimitSeconds: number;
  steadySeconds: number;
  /** The offered load of the latency run; default half the full mode's throughput. */
  steadyEps: number | undefined;
  modes: ReadonlySet<string>;
  /** Writes a V8 CPU profile of each connector process into the run's logs folder. */
  profile: boolean;
  /** The connector's V8 heap, as a memory-limited container would size it (see docs/operations.md "Memory"). */
  heapMb: number;
  /** The state mode's dedup keys in its one partition. */
  keys: number;
}

export interface ModeResult {
  window: Window;
  samples: ProgressSample[];
  peakRssMb: number;
  rssMbByProgress: number[];
  stages?: StageTimings;
}

export interface RateLimitResult {
  configuredRps: number;
  achievedRps: number;
  ratio429: number;
}

export interface BenchResults {
  modes: Partial<Record<BenchMode, ModeResult>>;
  latency: (LatencyResult & { stages: StageTimings }) | undefined;
  steadyRate: number;
  atLimit: RateLimitResult | undefined;
  overLimit: RateLimitResult | undefined;
  fleet: FleetResult | undefined;
  rebalance: { rebalance_keep_claims: RebalanceCost; rebalance_claim_afresh: RebalanceCost } | undefined;
  state: StateResult | undefined;
}

interface Context {
  opt: BenchOptions;
  stack: StackHandle;
  admin: Admin;
  runId: string;
  input: string;
  stackPids: Record<string, number>;
}

const root = new URL('../..', import.meta.url).pathname;

const say = (line: string) =>
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

export async function runBenchmark(opt: BenchOptions): Promise<BenchResults> {
  const runId = `bench${Date.now().toString(36)}`;
  const stack = await startStack({
    dir: mkdtempSync(join(tmpdir(), 'cxone-bench-')),
    sim: {
      command: [
        process.execPath,
        join(root, 'src/cli.ts'),
        'sim',
        '--contacts',
        String(opt.contacts),
        '--latency-ms',
        String(opt.latencyMs),
        '--seed',
        '1',
      ],
      cwd: root,
    },
    log: say,
  });
  const state = await readStackState(stack.dir);
  const stackPids = {
    kafka: state?.kafka.pid ?? 0,
    registry: state?.registry.pid ?? 0,
    simulator: state?.sim?.pid ?? 0,
  };
  const simUrl = stack.sim?.url ?? '';
  const kafka = new Kafka({
    clientId: 'bench',
    brokers: [stack.kafka.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const input = `${runId}.events`;
    const producedStart = performance.now();
    const context: Context = { opt, stack, admin, runId, input, stackPids };
    // The state mode brings its own events; the others share the run's input topic.
    const throughputModes = [...opt.modes].some((m) => m !== 'state');
    if (throughputModes) {
      await createEventsTopic(context, kafka, input, opt.events, runId);
      say(
        `${opt.events} events for ${opt.contacts} contacts on ${opt.partitions} partitions in ${((performance.now() - producedStart) / 1000).toFixed(1)} s`,
      );
      await warmUp(context, opt.warmupEvents);
    }
    const modes: Partial<Record<BenchMode, ModeResult>> = {};
    for (const mode of ['ceiling', 'full', 'serial'] as const) {
      if (opt.modes.has(mode)) modes[mode] = await runMode(context, mode);
    }
    const fullEps = modes.full?.window.eps ?? Number.NaN;

    let latency: BenchResults['latency'];
    let steadyRate = Number.NaN;
    const steadyOverride = opt.steadyEps ?? Number.NaN;
    if (opt.modes.has('latency') && (Number.isFinite(fullEps) || Number.isFinite(steadyOverride))) {
      steadyRate = Number.isFinite(steadyOverride) ? steadyOverride : Math.round(fullEps / 2);
      latency = await runLatency(context, steadyRate);
    }
    let atLimit: RateLimitResult | undefined;
    let overLimit: RateLimitResult | undefined;
    if (opt.modes.has('ratelimit')) {
      await setSimFaults(simUrl, { rateLimitRps: opt.limitRps, rateLimitBurst: 0 });
      atLimit = await runRateLimited(context, opt.limitRps);
      await sleep(2000);
      overLimit = await runRateLimited(context, opt.limitRps * 2);
      await setSimFaults(simUrl, { rateLimitRps: 0 });
    }
    const fleet = opt.modes.has('fleet')
      ? await runFleet(context, admin, {
          limitRps: opt.limitRps,
          settleSeconds: 10,
          windowSeconds: 10,
          baseLatencyMs: opt.latencyMs,
        })
      : undefined;
    const rebalance = opt.modes.has('rebalance')
      ? {
          rebalance_claim_afresh: await measureRebalance(
            context,
            admin,
            false,
            Math.min(8000, opt.events / 4),
          ),
          rebalance_keep_claims: await measureRebalance(context, admin, true, Math.min(8000, opt.events / 4)),
        }
      : undefined;
    const state = opt.modes.has('state')
      ? await runState({ ...context, kafka, say }, { keys: opt.keys, loadEps: 50 })
      : undefined;
    return { modes, latency, steadyRate, atLimit, overLimit, fleet, rebalance, state };
  } finally {
    await admin.disconnect();
    await stack.stop();
  }
}

/** Creates `topic` with the run's partition count and fills it with `count` sample events keyed by contact. */
async function createEventsTopic(
  context: Context,
  kafka: Kafka,
  topic: string,
  count: number,
  prefix: string,
): Promise<void> {
  const { admin, opt } = context;
  await createTopics(admin, [{ topic, numPartitions: opt.partitions }]);
  const events = generateEvents({ count, contacts: opt.contacts, prefix });
  await produceEvents(kafka, context.stack.registry.url, topic, events, 1000);
}

/** A throw-away run of the product on events of its own: the broker's JIT compiles its hot paths here. */
async function warmUp(context: Context, events: number): Promise<void> {
  if (events <= 0) return;
  const input = `${context.runId}.warmup`;
  const kafka = new Kafka({
    clientId: 'bench-warmup',
    brokers: [context.stack.kafka.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  await createEventsTopic(context, kafka, input, events, `${context.runId}-warmup`);
  say(`warm-up: ${events} events through the product first (not measured)`);
  const connector = await startConnector(context, 'full', 'warmup', { input });
  try {
    await trackProgress({
      admin: context.admin,
      groupId: `${context.runId}-warmup`,
      topic: input,
      target: events,
      maxMs: 300_000,
      pids: {},
    });
  } finally {
    await connector.stop();
  }
}

async function runMode(context: Context, mode: BenchMode): Promise<ModeResult> {
  const { opt } = context;
  say(`${mode}: starting`);
  const connector = await startConnector(context, mode, mode);
  const pid = connector.child.pid ?? 0;
  const rssByTenth: number[] = [];
  try {
    const samples = await trackProgress({
      admin: context.admin,
      groupId: `${context.runId}-${mode}`,
      topic: context.input,
      target: opt.events,
      maxMs: mode === 'serial' ? opt.serialSeconds * 1000 : 900_000,
      pids: { connector: pid, ...context.stackPids },
      onSample: (sample) => {
        const tenth = Math.floor((sample.committed / opt.events) * 10);
        if (tenth >= 1 && rssByTenth[tenth - 1] === undefined) rssByTenth[tenth - 1] = memoryMb(pid).rssMb;
      },
    });
    const window = windowBetween(samples);
    const { peakRssMb } = memoryMb(pid);
    const stages = mode === 'serial' ? undefined : await stageTimings(connector.metricsPort);
    say(
      `${mode}: ${window.eps.toFixed(0)} events/s (${window.events} events in ${window.seconds.toFixed(1)} s), connector peak RSS ${peakRssMb.toFixed(0)} MB`,
    );
    return {
      window,
      samples,
      peakRssMb,
      rssMbByProgress: rssByTenth.filter((n) => n !== undefined),
      ...(stages ? { stages } : {}),
    };
  } finally {
    await connector.stop();
  }
}

async function runLatency(context: Context, rate: number): Promise<LatencyResult & { stages: StageTimings }> {
  const { opt } = context;
  const input = `${context.runId}.steady`;
  await createTopics(context.admin, [{ topic: input, numPartitions: opt.partitions }]);
  const steadyEncoder = await createCdpEventEncoder(context.stack.registry.url, input);
  say(`latency: ${rate} events/s for ${opt.steadySeconds} s (after 5 s of warm-up)`);
  const connector = await startConnector(context, 'full', 'latency', { input });
  try {
    await waitReady(connector.metricsPort);
    const result = await measureLatency({
      kafka: new Kafka({
        clientId: 'bench-latency',
        brokers: [context.stack.kafka.bootstrap],
        logLevel: logLevel.NOTHING,
      }),
      inputTopic: input,
      resultsTopic: `${context.runId}-latency.results`,
      encoder: steadyEncoder,
      ratePerSecond: rate,
      seconds: opt.steadySeconds,
      warmupSeconds: 5,
      contacts: opt.contacts,
      prefix: `${context.runId}-steady`,
    });
    const stages = await stageTimings(connector.metricsPort);
    say(
      `latency: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms (${result.received}/${result.produced} results); connector: record ${stages.record_ms} ms, commit ${stages.commit_ms} ms for ${stages.records_per_commit} records`,
    );
    return { ...result, stages };
  } finally {
    await connector.stop();
  }
}

async function runRateLimited(context: Context, configuredRps: number): Promise<RateLimitResult> {
  const { opt } = context;
  const simUrl = context.stack.sim?.url ?? '';
  say(`rate limit: simulator allows ${opt.limitRps}/s, connector configured at ${configuredRps}/s`);
  const connector = await startConnector(context, 'full', `ratelimit-${configuredRps}`, {
    requestsPerSecond: configuredRps,
  });
  try {
    const before = await simCounts(simUrl);
    let first: SimCounts | undefined;
    for (;;) {
      await sleep(250);
      const now = await simCounts(simUrl);
      if (now.requests > before.requests) {
        first = now;
        break;
      }
    }
    // The first 10 seconds are the limiter finding the tenant's limit; the rest is the steady state.
    await sleep(10_000);
    const start = await simCounts(simUrl);
    await sleep((opt.ratelimitSeconds - 10) * 1000);
    const end = await simCounts(simUrl);
    const requests = end.requests - start.requests;
    const tooMany = end.tooMany - start.tooMany;
    const result = {
      configuredRps,
      achievedRps: (requests - tooMany) / ((end.atMs - start.atMs) / 1000),
      ratio429: requests === 0 ? Number.NaN : tooMany / requests,
    };
    say(
      `rate limit: configured ${configuredRps}/s -> ${result.achievedRps.toFixed(1)} requests/s admitted, ${(result.ratio429 * 100).toFixed(2)}% answered 429 (first request ${((first.atMs - before.atMs) / 1000).toFixed(1)} s after start)`,
    );
    return result;
  } finally {
    await connector.stop();
  }
}
