/**
 * The benchmark's report: the JSON summary (stable keys, compared across runs)
 * and the table printed at the end of a run.
 */
import type { LatencyResult } from './latency-probe.ts';
import type { BenchMode } from './bench-config.ts';
import type { Window } from './group-progress.ts';
import { connectorNodeFlags } from './bench-connector.ts';
import type { BenchOptions, BenchResults, ModeResult } from './bench-run.ts';

const round = (n: number, digits = 0) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : null);

function perTenK(window: Window): Record<string, number | null> {
  return Object.fromEntries(
    Object.entries(window.cpu).map(([name, seconds]) => [name, round((seconds / window.events) * 10_000, 2)]),
  );
}

export function summarize(opt: BenchOptions, r: BenchResults): Record<string, unknown> {
  const { modes: results, latency, atLimit, overLimit } = r;
  const fullEps = results.full?.window.eps ?? Number.NaN;
  const full = results.full;
  const connectorCpu = full ? (full.window.cpu.connector ?? NaN) : NaN;
  return {
    events: opt.events,
    partitions: opt.partitions,
    contacts: opt.contacts,
    sim_latency_ms: opt.latencyMs,
    connector_node_flags: connectorNodeFlags(opt.heapMb).slice(1).join(' '),
    serial_eps: round(results.serial?.window.eps ?? NaN),
    ceiling_eps: round(results.ceiling?.window.eps ?? NaN),
    full_eps: round(fullEps),
    full_vs_ceiling: round(fullEps / (results.ceiling?.window.eps ?? NaN), 2),
    full_vs_serial: round(fullEps / (results.serial?.window.eps ?? NaN), 1),
    steady_offered_eps: round(r.steadyRate),
    p50_ms: round(latency?.p50Ms ?? NaN),
    p99_ms: round(latency?.p99Ms ?? NaN),
    latency_results_received: latency ? `${latency.received}/${latency.produced}` : null,
    cpu_s_per_10k: round((connectorCpu / (full?.window.events ?? NaN)) * 10_000, 2),
    cpu_s_per_10k_by_process: full ? perTenK(full.window) : null,
    cpu_s_per_10k_by_mode: Object.fromEntries(
      Object.entries(results).map(([mode, m]) => [mode, perTenK(m.window)]),
    ),
    // In steady state: records per second over records per transaction.
    full_transactions_per_s: round(fullEps / (full?.stages?.records_per_transaction ?? NaN), 1),
    full_records_per_transaction: full?.stages?.records_per_transaction ?? null,
    full_partitions_per_transaction: full?.stages?.partitions_per_transaction ?? null,
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
    ...(r.fleet ?? {}),
    ...(r.rebalance ?? {}),
    ...(r.state ?? {}),
  };
}

export function printTable(
  opt: BenchOptions,
  summary: Record<string, unknown>,
  results: Partial<Record<BenchMode, ModeResult>>,
  latency: LatencyResult | undefined,
): void {
  const rows: [string, string][] = [['simulator latency', `${opt.latencyMs} ms per request`]];
  if (opt.modes.has('state')) rows.push(...stateRows(summary));
  if ([...opt.modes].some((m) => m !== 'state')) rows.push(...throughputRows(opt, summary, results, latency));
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`\n${'═'.repeat(width + 40)}\n`);
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
  process.stdout.write(`${'═'.repeat(width + 40)}\n\n`);
}

function stateRows(s: Record<string, unknown>): [string, string][] {
  return [
    [
      'state: keys in the partition',
      `${String(s.keys)} (${String(s.keys_through_product)} through the product)`,
    ],
    [
      'state: the oldest re-sent',
      `${String(s.window_duplicate_ratio)} DUPLICATE, ${String(s.cxone_calls_during_resend)} CXone calls`,
    ],
    [
      'state: connector RSS',
      `${String(s.rss_mb)} MB (peak ${String(s.state_peak_rss_mb)} MB), checkpoint ${String(s.disk_mb)} MB`,
    ],
    [
      'state: dedup topic',
      `${String(s.dedup_topic_records)} records, ${String(s.dedup_topic_mb)} MB; ${String(s.live_keys)} live keys`,
    ],
    [
      'state: fresh restore',
      `${String(s.restore_entries_per_s_fresh)} entries/s (${String(s.restore_s_fresh)} s)`,
    ],
    [
      'state: claim with a checkpoint',
      `${String(s.claim_s_with_checkpoint)} s (ready ${String(s.ready_s_with_checkpoint)} s after spawn)`,
    ],
    [
      'state: SIGKILL to first commit',
      `restarted ${String(s.crash_recovery_s_restarted)} s, survivor ${String(s.crash_recovery_s_survivor)} s (from ${String(s.survivor_restored_from)})`,
    ],
  ];
}

function throughputRows(
  opt: BenchOptions,
  summary: Record<string, unknown>,
  results: Partial<Record<BenchMode, ModeResult>>,
  latency: LatencyResult | undefined,
): [string, string][] {
  const rows: [string, string][] = [
    ['events / partitions / contacts', `${opt.events} / ${opt.partitions} / ${opt.contacts}`],
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
    [
      'full: transactions',
      `${String(summary.full_transactions_per_s)}/s, ${String(summary.full_records_per_transaction)} records and ${String(summary.full_partitions_per_transaction)} partitions each`,
    ],
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
  return rows;
}
