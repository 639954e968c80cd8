/**
 * Progress of a consumer group through a topic, sampled from its committed
 * offsets (what a connector has really finished), with the CPU time of the
 * processes that matter at each sample. Rates are taken between two points
 * of the run (10% and 90% of what it finished by default), so start-up and
 * the tail do not count.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import { cpuSnapshot } from './process-probe.ts';

export interface ProgressSample {
  atMs: number;
  committed: number;
  cpu: Record<string, number>;
}

export interface TrackOptions {
  admin: Admin;
  groupId: string;
  topic: string;
  /** Stop once this many records are committed... */
  target: number;
  /** ...or after this long. */
  maxMs: number;
  pids: Record<string, number>;
  intervalMs?: number;
  /** Called with each sample (e.g. to watch memory). */
  onSample?: (sample: ProgressSample) => void;
}

async function committedTotal(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

export async function trackProgress(options: TrackOptions): Promise<ProgressSample[]> {
  const samples: ProgressSample[] = [];
  const started = performance.now();
  for (;;) {
    const committed = await committedTotal(options.admin, options.groupId, options.topic);
    const sample = { atMs: performance.now(), committed, cpu: cpuSnapshot(options.pids) };
    samples.push(sample);
    options.onSample?.(sample);
    if (committed >= options.target || sample.atMs - started >= options.maxMs) return samples;
    await sleep(options.intervalMs ?? 250);
  }
}

export interface Window {
  events: number;
  seconds: number;
  eps: number;
  /** CPU seconds each process spent inside the window. */
  cpu: Record<string, number>;
}

/** The rate between the first samples at `from` and at `to` (fractions of the final count). */
export function windowBetween(samples: readonly ProgressSample[], from = 0.1, to = 0.9): Window {
  const final = samples.at(-1)?.committed ?? 0;
  const start = samples.find((s) => s.committed >= final * from && s.committed > 0);
  const end = samples.find((s) => s.committed >= final * to);
  if (!start || !end || end.atMs <= start.atMs) {
    throw new Error(`not enough progress to measure a rate (finished ${final} records)`);
  }
  const cpu = Object.fromEntries(
    Object.keys(end.cpu).map((name) => [name, (end.cpu[name] ?? NaN) - (start.cpu[name] ?? NaN)]),
  );
  const events = end.committed - start.committed;
  const seconds = (end.atMs - start.atMs) / 1000;
  return { events, seconds, eps: events / seconds, cpu };
}
