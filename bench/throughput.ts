/**
 * The throughput benchmark, on the real local stack (Kafka, the registry, the
 * CXone simulator with a fixed latency), all in one run:
 *   - the same Avro events through three modes, each a real process:
 *     partition-serial (the product with one record in flight per partition),
 *     ceiling (the same CXone calls at the same concurrency, without dedup,
 *     transactions or output topics: bench/lib/ceiling-connector.ts) and
 *     full (the product as shipped, exactly-once on);
 *   - end-to-end latency (event produced -> result committed and readable) at
 *     a steady load of half the full rate;
 *   - a tenant rate limit enforced by the simulator, with the connector
 *     configured at that limit and at twice it.
 *
 *   npm run bench -- [--events 50000] [--partitions 12] [--contacts 10000]
 *                    [--latency-ms 20] [--limit-rps 200] [--json bench.json]
 *                    [--modes ceiling,full,serial,latency,ratelimit]
 *
 * It prints a table and the summary; it asserts nothing (targets are read
 * from the numbers, never enforced by a timed test).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { startStack, readStackState, type StackHandle } from '../scripts/stack/index.ts';
import { freePorts } from '../scripts/stack/ports.ts';
import { createCdpEventEncoder, generateEvents, produceEvents } from '../scripts/lib/cdp-events.ts';
import { trackProgress, windowBetween, type ProgressSample, type Window } from './lib/group-progress.ts';
import { measureLatency, type LatencyResult } from './lib/latency-probe.ts';
import { memoryMb } from './lib/process-probe.ts';
import { setSimFaults, simCounts, type SimCounts } from './lib/sim-counts.ts';
import { benchConfig, type BenchMode } from './lib/bench-config.ts';
import { stageTimings, type StageTimings } from './lib/stage-timings.ts';
import { runScript } from './lib/run-script.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '50000' },
    partitions: { type: 'string', default: '12' },
    contacts: { type: 'string', default: '10000' },
    'latency-ms': { type: 'string', default: '20' },
    'serial-seconds': { type: 'string', default: '60' },
    /** Events through a throw-away run first, so the broker's JIT is warm when the timing starts. */
    'warmup-events': { type: 'string', default: '5000' },
    'limit-rps': { type: 'string', default: '200' },
    'ratelimit-seconds': { type: 'string', default: '40' },
    'steady-seconds': { type: 'string', default: '30' },
    /** The offered load of the latency run; default half the full mode's throughput. */
    'steady-eps': { type: 'string' },
    modes: { type: 'string', default: 'ceiling,full,serial,latency,ratelimit' },
    json: { type: 'string' },
    /** Writes a V8 CPU profile of each connector process into the run's logs folder. */
    profile: { type: 'boolean', default: false },
    /** The connector's V8 heap, as a memory-limited container would size it (see README "Memory"). */
    'heap-mb': { type: 'string', default: '192' },
  },
});
const opt = {
  events: Number(values.events),
  partitions: Number(values.partitions),
  contacts: Number(values.contacts),
  latencyMs: Number(values['latency-ms']),
  serialSeconds: Number(values['serial-seconds']),
  limitRps: Number(values['limit-rps']),
  ratelimitSeconds: Number(values['ratelimit-seconds']),
  steadySeconds: Number(values['steady-seconds']),
  modes: new Set(values.modes.split(',').map((m) => m.trim())),
};
const root = new URL('..', import.meta.url).pathname;
const say = (line: string) =>
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const round = (n: number, digits = 0) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : null);

interface ModeResult {
  window: Window;
  samples: ProgressSample[];
  peakRssMb: number;
  rssMbByProgress: number[];
  stages?: StageTimings;
}

interface Connector {
  child: ChildProcess;
  metricsPort: number;
  stop(): Promise<void>;
}

async function main(): Promise<number> {
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
    await createEventsTopic(kafka, admin, stack.registry.url, input, opt.events, runId);
    say(
      `${opt.events} events for ${opt.contacts} contacts on ${opt.partitions} partitions in ${((performance.now() - producedStart) / 1000).toFixed(1)} s`,
    );

    const context = { stack, admin, runId, input, stackPids };
    await warmUp(context, Number(values['warmup-events']));
    const results: Partial<Record<BenchMode, ModeResult>> = {};
    for (const mode of ['ceiling', 'full', 'serial'] as const) {
      if (opt.modes.has(mode)) results[mode] = await runMode(context, mode);
    }
    const fullEps = results.full?.window.eps ?? Number.NaN;

    let latency: (LatencyResult & { stages: StageTimings }) | undefined;
    let steadyRate = Number.NaN;
    const steadyOverride = values['steady-eps'] === undefined ? Number.NaN : Number(values['steady-eps']);
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

    const full = results.full;
    const connectorCpu = full ? (full.window.cpu.connector ?? NaN) : NaN;
    const summary = {
      events: opt.events,
      partitions: opt.partitions,
      contacts: opt.contacts,
      sim_latency_ms: opt.latencyMs,
      connector_node_flags: connectorNodeFlags().slice(1).join(' '),
      serial_eps: round(results.serial?.window.eps ?? NaN),
      ceiling_eps: round(results.ceiling?.window.eps ?? NaN),
      full_eps: round(fullEps),
      full_vs_ceiling: round(fullEps / (results.ceiling?.window.eps ?? NaN), 2),
      full_vs_serial: round(fullEps / (results.serial?.window.eps ?? NaN), 1),
      steady_offered_eps: round(steadyRate),
      p50_ms: round(latency?.p50Ms ?? NaN),
      p99_ms: round(latency?.p99Ms ?? NaN),
      latency_results_received: latency ? `${latency.received}/${latency.produced}` : null,
      cpu_s_per_10k: round((connectorCpu / (full?.window.events ?? NaN)) * 10_000, 2),
      cpu_s_per_10k_by_process: full ? perTenK(full.window) : null,
      cpu_s_per_10k_by_mode: Object.fromEntries(
        Object.entries(results).map(([mode, r]) => [mode, perTenK(r.window)]),
      ),
      peak_rss_mb: round(full?.peakRssMb ?? NaN),
      rss_mb_by_progress: full?.rssMbByProgress.map((n) => round(n)) ?? null,
      ratelimit_allowed_rps: opt.limitRps,
      ratelimit_achieved_rps_at_limit: round(atLimit?.achievedRps ?? NaN, 1),
      ratelimit_achieved_rps_over_limit: round(overLimit?.achievedRps ?? NaN, 1),
      ratelimit_429_ratio_at_limit: round(atLimit?.ratio429 ?? NaN, 4),
      ratelimit_429_ratio_over_limit: round(overLimit?.ratio429 ?? NaN, 4),
      stages_full: full?.stages ?? null,
      stages_ceiling: results.ceiling?.stages ?? null,
      stages_latency: latency?.stages ?? null,
    };
    printTable(summary, results, latency);
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    if (values.json) writeFileSync(values.json, `${JSON.stringify(summary, null, 2)}\n`);
    return 0;
  } finally {
    await admin.disconnect();
    await stack.stop();
  }
}

interface Context {
  stack: StackHandle;
  admin: Admin;
  runId: string;
  input: string;
  stackPids: Record<string, number>;
}

function perTenK(window: Window): Record<string, number | null> {
  return Object.fromEntries(
    Object.entries(window.cpu).map(([name, seconds]) => [name, round((seconds / window.events) * 10_000, 2)]),
  );
}

async function startConnector(
  context: Context,
  mode: BenchMode,
  name: string,
  overrides: { input?: string; requestsPerSecond?: number } = {},
): Promise<Connector> {
  const [metricsPort] = (await freePorts(1)) as [number];
  const file = join(context.stack.logsDir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      benchConfig({
        mode,
        name: `${context.runId}-${name}`,
        bootstrap: context.stack.kafka.bootstrap,
        registry: context.stack.registry.url,
        sim: context.stack.sim?.url ?? '',
        input: overrides.input ?? context.input,
        metricsPort,
        ...(overrides.requestsPerSecond === undefined
          ? {}
          : { requestsPerSecond: overrides.requestsPerSecond }),
      }),
    ),
  );
  // The product as shipped: the compiled dist/ the image runs (npm run bench builds it first).
  const entry = mode === 'ceiling' ? join(root, 'bench/lib/ceiling-connector.ts') : join(root, 'dist/cli.js');
  const args = mode === 'ceiling' ? [entry, '--config', file] : [entry, 'run', '--config', file];
  const profiling = values.profile
    ? ['--cpu-prof', `--cpu-prof-dir=${join(context.stack.logsDir, `${name}-profile`)}`]
    : [];
  const child = spawn(process.execPath, [...connectorNodeFlags(), ...profiling, ...args], {
    cwd: root,
    env: { ...process.env, CXONE_CLIENT_SECRET: 'sim-secret' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(join(context.stack.logsDir, `${name}.log`));
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    metricsPort,
    async stop() {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** The flags the connector runs with here: the image's, plus the heap a memory-limited container would give it. */
function connectorNodeFlags(): string[] {
  const extra = process.env.BENCH_NODE_FLAGS;
  return [
    '--disable-warning=TimeoutNegativeWarning',
    ...(extra !== undefined
      ? extra.split(' ').filter(Boolean)
      : ['--max-semi-space-size=16', `--max-old-space-size=${values['heap-mb']}`]),
  ];
}

/** Creates `topic` with the run's partition count and fills it with `count` sample events keyed by contact. */
async function createEventsTopic(
  kafka: Kafka,
  admin: Admin,
  registryUrl: string,
  topic: string,
  count: number,
  prefix: string,
): Promise<void> {
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: opt.partitions }] });
  const events = generateEvents({ count, contacts: opt.contacts, prefix });
  await produceEvents(kafka, registryUrl, topic, events, 1000);
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
  await createEventsTopic(
    kafka,
    context.admin,
    context.stack.registry.url,
    input,
    events,
    `${context.runId}-warmup`,
  );
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
  const input = `${context.runId}.steady`;
  await context.admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic: input, numPartitions: opt.partitions }],
  });
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

interface RateLimitResult {
  configuredRps: number;
  achievedRps: number;
  ratio429: number;
}

async function runRateLimited(context: Context, configuredRps: number): Promise<RateLimitResult> {
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

async function waitReady(metricsPort: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(`http://127.0.0.1:${metricsPort}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await sleep(100);
  }
  throw new Error('the connector did not become ready in 60 s');
}

function printTable(
  summary: Record<string, unknown>,
  results: Partial<Record<BenchMode, ModeResult>>,
  latency: LatencyResult | undefined,
): void {
  const rows: [string, string][] = [
    ['events / partitions / contacts', `${opt.events} / ${opt.partitions} / ${opt.contacts}`],
    ['simulator latency', `${opt.latencyMs} ms per request`],
  ];
  for (const mode of ['serial', 'ceiling', 'full'] as const) {
    const r = results[mode];
    if (r) rows.push([`${mode} throughput`, `${r.window.eps.toFixed(0)} events/s`]);
  }
  rows.push(
    ['full / ceiling', String(summary.full_vs_ceiling)],
    ['full / serial', String(summary.full_vs_serial)],
  );
  if (latency) {
    rows.push([
      `latency at ${String(summary.steady_offered_eps)} events/s`,
      `p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms (${latency.received}/${latency.produced} results)`,
    ]);
  }
  rows.push(
    ['connector CPU per 10k events', `${String(summary.cpu_s_per_10k)} s`],
    ['connector peak RSS', `${String(summary.peak_rss_mb)} MB`],
    [
      `rate limit ${opt.limitRps}/s, configured at it`,
      `${String(summary.ratelimit_achieved_rps_at_limit)}/s, 429s ${String(summary.ratelimit_429_ratio_at_limit)}`,
    ],
    [
      `rate limit ${opt.limitRps}/s, configured at 2x`,
      `${String(summary.ratelimit_achieved_rps_over_limit)}/s, 429s ${String(summary.ratelimit_429_ratio_over_limit)}`,
    ],
  );
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`\n${'═'.repeat(width + 40)}\n`);
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
  process.stdout.write(`${'═'.repeat(width + 40)}\n\n`);
}

runScript('benchmark', main);
