/**
 * One place that decides whether an input partition is fetched. Several
 * independent reasons can hold a partition back (its buffer is full, it is
 * being claimed, it backs off after a failure) and some hold back all of them
 * (the CXone circuit is open, memory is at its bound, the connector drains).
 * A partition is fetched only when no reason holds it.
 *
 * kafkajs keeps one paused flag per partition, and a topic-wide pause or
 * resume overwrites the partition flags; so this module only ever pauses and
 * resumes single partitions, and only when the combined answer changes.
 */
import type { TopicPartitions } from 'kafkajs';

export const PAUSE_REASONS = [
  'backpressure',
  'claiming',
  'backoff',
  'breaker',
  'memory',
  'draining',
] as const;
export type PauseReason = (typeof PAUSE_REASONS)[number];

export interface PauseTarget {
  pause(topicPartitions: TopicPartitions[]): void;
  resume(topicPartitions: TopicPartitions[]): void;
}

export interface PauseControl {
  /** The partitions this instance owns now; new ones inherit the instance-wide reasons. */
  assign(partitions: readonly { topic: string; partition: number }[]): void;
  set(topic: string, partition: number, reason: PauseReason, on: boolean): void;
  setAll(reason: PauseReason, on: boolean): void;
  /** Drops the per-partition reasons of every partition but `keep` (a new group generation starts from scratch). */
  clearPartitionReasons(keep?: ReadonlySet<string>): void;
  isPaused(topic: string, partition: number): boolean;
  /** How many owned partitions each reason holds, for the metrics. */
  counts(): Record<PauseReason, number>;
}

const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export function createPauseControl(
  target: PauseTarget,
  onChange?: (control: PauseControl) => void,
): PauseControl {
  let assigned = new Map<string, { topic: string; partition: number }>();
  const reasons = new Map<string, Set<PauseReason>>();
  const global = new Set<PauseReason>();
  const paused = new Set<string>();

  const wanted = (key: string) => global.size > 0 || (reasons.get(key)?.size ?? 0) > 0;

  /** Brings kafkajs in line with the wanted state of `keys`, in one pause and one resume call. */
  function apply(keys: Iterable<string>): void {
    const toPause = new Map<string, number[]>();
    const toResume = new Map<string, number[]>();
    for (const key of keys) {
      const tp = assigned.get(key);
      if (!tp) continue;
      const want = wanted(key);
      if (want === paused.has(key)) continue;
      if (want) paused.add(key);
      else paused.delete(key);
      const bucket = want ? toPause : toResume;
      const partitions = bucket.get(tp.topic);
      if (partitions) partitions.push(tp.partition);
      else bucket.set(tp.topic, [tp.partition]);
    }
    const asList = (m: Map<string, number[]>) => [...m].map(([topic, partitions]) => ({ topic, partitions }));
    if (toPause.size > 0) target.pause(asList(toPause));
    if (toResume.size > 0) target.resume(asList(toResume));
    if (toPause.size + toResume.size > 0) onChange?.(control);
  }

  const control: PauseControl = {
    assign(partitions) {
      const next = new Map(partitions.map((tp) => [keyOf(tp.topic, tp.partition), tp]));
      // Partitions we no longer own are resumed in kafkajs, so a later owner of them here starts clean.
      for (const [key, tp] of assigned) {
        if (next.has(key)) continue;
        reasons.delete(key);
        if (paused.delete(key)) target.resume([{ topic: tp.topic, partitions: [tp.partition] }]);
      }
      assigned = next;
      apply(assigned.keys());
    },
    set(topic, partition, reason, on) {
      const key = keyOf(topic, partition);
      let set = reasons.get(key);
      if (on) {
        if (!set) reasons.set(key, (set = new Set()));
        if (set.has(reason)) return;
        set.add(reason);
      } else {
        if (!set?.delete(reason)) return;
      }
      apply([key]);
    },
    setAll(reason, on) {
      if (on === global.has(reason)) return;
      if (on) global.add(reason);
      else global.delete(reason);
      apply(assigned.keys());
    },
    clearPartitionReasons(keep) {
      const keys = [...reasons.keys()].filter((key) => !keep?.has(key));
      for (const key of keys) reasons.delete(key);
      apply(keys);
    },
    isPaused: (topic, partition) => paused.has(keyOf(topic, partition)),
    counts() {
      const out = Object.fromEntries(PAUSE_REASONS.map((r) => [r, 0])) as Record<PauseReason, number>;
      for (const key of assigned.keys()) {
        for (const reason of global) out[reason]++;
        for (const reason of reasons.get(key) ?? []) if (!global.has(reason)) out[reason]++;
      }
      return out;
    },
  };
  return control;
}
