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
 *     configured at that limit and at twice it;
 *   - fleet (not in the default modes): 1, 2, 4 and 4 → 2 instances of one group
 *     under the tenant limit, and their scaling at a slow CXone (bench/lib/fleet-run.ts);
 *   - rebalance (not in the default modes): what a second instance joining costs, with claims
 *     kept across the rebalance and claimed afresh (bench/lib/rebalance-run.ts);
 *   - state (not in the default modes): the dedup store at --keys keys in one partition: the
 *     window held, memory, restore rates, claims from a checkpoint and crash recovery
 *     (bench/lib/state-run.ts).
 *
 *   npm run bench -- [--events 50000] [--partitions 12] [--contacts 10000]
 *                    [--latency-ms 20] [--limit-rps 200] [--json bench.json]
 *                    [--modes ceiling,full,serial,latency,ratelimit,fleet,rebalance,state]
 *                    [--keys 5000000]
 *
 * It prints a table and the summary; it asserts nothing (targets are read
 * from the numbers, never enforced by a timed test).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { printTable, summarize } from './lib/bench-report.ts';
import { runBenchmark, type BenchOptions } from './lib/bench-run.ts';
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
    /** The connector's V8 heap, as a memory-limited container would size it (see docs/operations.md "Memory"). */
    'heap-mb': { type: 'string', default: '192' },
    keys: { type: 'string', default: '5000000' },
  },
});
const opt: BenchOptions = {
  events: Number(values.events),
  partitions: Number(values.partitions),
  contacts: Number(values.contacts),
  latencyMs: Number(values['latency-ms']),
  serialSeconds: Number(values['serial-seconds']),
  warmupEvents: Number(values['warmup-events']),
  limitRps: Number(values['limit-rps']),
  ratelimitSeconds: Number(values['ratelimit-seconds']),
  steadySeconds: Number(values['steady-seconds']),
  steadyEps: values['steady-eps'] === undefined ? undefined : Number(values['steady-eps']),
  modes: new Set(values.modes.split(',').map((m) => m.trim())),
  profile: values.profile,
  heapMb: Number(values['heap-mb']),
  keys: Number(values.keys),
};

async function main(): Promise<number> {
  const results = await runBenchmark(opt);
  const summary = summarize(opt, results);
  printTable(opt, summary, results.modes, results.latency);
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  if (values.json) writeFileSync(values.json, `${JSON.stringify(summary, null, 2)}\n`);
  return 0;
}

runScript('benchmark', main);
