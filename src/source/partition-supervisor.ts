/**
 * Between kafkajs and the partition workers. kafkajs fetches all partitions
 * of a broker in one request and waits until every batch of the response is
 * handled before it fetches again, so a handler that awaited its records
 * would let one slow record stall every partition. Here a batch is only
 * handed to its partition's worker, and fetching is steered with pause and
 * resume (pause-control.ts) instead of by blocking.
 *
 * Per partition: the first batch of a generation starts a claim (fence,
 * restore dedup, read the committed position) while the partition is paused;
 * then the consumer is rewound to the committed offset and a worker takes
 * the records. A failed claim or commit retires the worker and backs the
 * partition off for `failureBackoffMs` before it is claimed again. A rebalance
 * retires every worker: what they had not committed is fetched again.
 */
import type { EachBatchPayload } from 'kafkajs';
import type { Logger } from 'pino';
import { chainOf } from '../audit/audit-chain.ts';
import type { CheckpointPolicy } from '../audit/chain-writer.ts';
import { ConnectorError, describeError, errorCode, failureClass } from '../errors.ts';
import type { CheckpointKeeper } from '../dedup/checkpoint-keeper.ts';
import type { DedupStore } from '../dedup/dedup-store.ts';
import type { ConnectorMetrics } from '../observability/metrics.ts';
import type { RecordProcessor } from '../contracts/records.ts';
import { createBufferBudget } from './buffer-budget.ts';
import { createConcurrencyGate } from './concurrency-gate.ts';
import { createPauseControl, PAUSE_REASONS, type PauseControl, type PauseTarget } from './pause-control.ts';
import {
  createPartitionWorker,
  type PartitionPosition,
  type PartitionWorker,
  type WorkerCommit,
  type WorkerLimits,
} from './partition-worker.ts';

/** The `processing` settings the supervisor and its workers read, under their config names. */
export interface SupervisorLimits extends WorkerLimits {
  /** Records in flight across all partitions of this instance. */
  maxInFlight: number;
  /** Records and bytes held between fetch and commit across all partitions. */
  maxBufferedRecords: number;
  maxBufferedBytes: number;
  /** How long a partition rests after a failed claim or commit. */
  failureBackoffMs: number;
  /** Keep a partition's claim when it stays with this instance from one generation to the next. */
  keepClaims: boolean;
}

export interface PartitionSupervisorDeps {
  claim(topic: string, partition: number, signal: AbortSignal): Promise<PartitionPosition>;
  /** `generationId`: the group generation in which this instance claimed or kept the partition. */
  commit(
    topic: string,
    partition: number,
    commit: WorkerCommit,
    generationId: number | undefined,
  ): Promise<void>;
  /** Releases what a new assignment no longer covers (producers, dedup partitions). */
  onAssignment?(assignment: Record<string, number[]>): Promise<void>;
  processRecord: RecordProcessor;
  /** Chain each input partition's audit records (audit/), checkpointing by this policy. */
  auditChain?: CheckpointPolicy | undefined;
  dedup: Pick<DedupStore, 'remember'>;
  /** Local dedup checkpoints of owned partitions (dedup.stateDir); absent: none. */
  dedupCheckpoints?: Pick<CheckpointKeeper, 'due' | 'owned'> | undefined;
  consumer: PauseTarget & { seek(entry: { topic: string; partition: number; offset: string }): void };
  limits: SupervisorLimits;
  metrics: ConnectorMetrics;
  logger: Logger;
  now: () => number;
  schedule: (fn: () => void, ms: number) => () => void;
}

export interface PartitionSupervisor {
  /** The kafkajs `eachBatch` handler: never waits for records to be processed. */
  handleBatch(payload: EachBatchPayload): Promise<void>;
  /**
   * A new group generation (kafkajs GROUP_JOIN). A partition this instance owned in the generation
   * just before (`generationId` one more than the last it saw) keeps its worker, claim and dedup
   * state: no other member can have owned it in between. Every other worker is retired, and its
   * partition claimed afresh on the next batch.
   */
  onAssignment(assignment: Record<string, number[]>, generationId?: number): void;
  readonly pauses: PauseControl;
  /** Stops fetching, lets every worker finish what is in flight and commit (see PartitionWorker.drain). */
  drain(timeoutMs: number): Promise<void>;
  /** Stops every worker at once, committing nothing more. */
  retireAll(): void;
  /** The Kafka timestamp of the partition's oldest record not yet committed (undefined: none, or not claimed yet). */
  oldestPendingMs(topic: string, partition: number): number | undefined;
}

interface Entry {
  topic: string;
  partition: number;
  /** The generation in which it was claimed, or kept last. */
  generation: number | undefined;
  worker?: PartitionWorker | undefined;
  abort: AbortController;
  cancelBackoff?: () => void;
}

export function createPartitionSupervisor(deps: PartitionSupervisorDeps): PartitionSupervisor {
  const { limits, metrics } = deps;
  const entries = new Map<string, Entry>();
  // The first offset handed to a worker this generation, for partitions the group never committed:
  // after a failure that is where the next worker must start, since kafkajs has moved past it.
  const firstSeen = new Map<string, string>();
  let draining = false;
  let lastGeneration: number | undefined;
  const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

  const pauses = createPauseControl(deps.consumer, (control) => {
    const counts = control.counts();
    for (const reason of PAUSE_REASONS) metrics.partitionsPaused.set({ reason }, counts[reason]);
  });
  const gate = createConcurrencyGate(limits.maxInFlight, (n) => metrics.recordsInFlight.set(n));
  const budget = createBufferBudget({
    maxRecords: limits.maxBufferedRecords,
    maxBytes: limits.maxBufferedBytes,
    onOverChange: (over) => pauses.setAll('memory', over),
    onChange: (records, bytes) => {
      metrics.bufferedRecords.set(records);
      metrics.bufferedBytes.set(bytes);
    },
  });

  function startClaim(topic: string, partition: number): void {
    const key = keyOf(topic, partition);
    const entry: Entry = { topic, partition, generation: lastGeneration, abort: new AbortController() };
    entries.set(key, entry);
    pauses.set(topic, partition, 'claiming', true);
    deps.claim(topic, partition, entry.abort.signal).then(
      (position) => {
        if (entries.get(key) !== entry || draining) return;
        const from = position.committed?.toString() ?? firstSeen.get(key);
        // kafkajs fetched ahead of what was committed; rewind it before the worker sees anything.
        if (from !== undefined) deps.consumer.seek({ topic, partition, offset: from });
        entry.worker = createWorker(entry, position);
        pauses.set(topic, partition, 'claiming', false);
      },
      (error: unknown) => {
        if (entries.get(key) === entry)
          backOff(entry, `cannot claim the partition: ${describeError(error)}`, error);
      },
    );
  }

  function createWorker(entry: Entry, position: PartitionPosition): PartitionWorker {
    const { topic, partition } = entry;
    const checkpoints = deps.dedupCheckpoints;
    const scope = { topic, partition };
    return createPartitionWorker({
      topic,
      partition,
      position,
      processRecord: deps.processRecord,
      commit: (commit) => deps.commit(topic, partition, commit, entry.generation),
      auditChain: deps.auditChain && { name: chainOf(topic, partition), policy: deps.auditChain },
      dedup: deps.dedup,
      dedupCheckpoint: checkpoints && {
        due: () => checkpoints.due(scope),
        take: (uncommitted) => checkpoints.owned(scope, uncommitted),
      },
      gate,
      budget,
      limits,
      onBackpressure: (on) => pauses.set(topic, partition, 'backpressure', on),
      onFailure: (error) => {
        if (entries.get(keyOf(topic, partition)) === entry)
          backOff(entry, `a commit failed: ${describeError(error)}`, error);
      },
      metrics,
      logger: deps.logger,
      now: deps.now,
      schedule: deps.schedule,
    });
  }

  function backOff(entry: Entry, reason: string, error: unknown): void {
    const { topic, partition } = entry;
    entry.worker?.retire();
    entry.worker = undefined;
    pauses.set(topic, partition, 'backpressure', false);
    pauses.set(topic, partition, 'claiming', false);
    if (draining) return;
    const code = errorCode(error);
    // A configuration fault (partitions missing, an ACL) waits for someone to act: say it louder.
    deps.logger[failureClass(error) === 'config' ? 'error' : 'warn'](
      { topic, partition, code, pauseMs: limits.failureBackoffMs },
      `partition paused, it will be claimed again and resume from its committed offset: ${reason}`,
    );
    if (!(error instanceof ConnectorError)) deps.logger.error({ err: error }, 'unexpected error');
    metrics.partitionPauses.inc({ topic });
    pauses.set(topic, partition, 'backoff', true);
    entry.cancelBackoff = deps.schedule(() => {
      if (entries.get(keyOf(topic, partition)) !== entry) return;
      entries.delete(keyOf(topic, partition));
      pauses.set(topic, partition, 'backoff', false);
    }, limits.failureBackoffMs);
  }

  function retireAll(): void {
    for (const entry of entries.values()) {
      entry.worker?.retire();
      entry.abort.abort();
      entry.cancelBackoff?.();
    }
    entries.clear();
  }

  return {
    pauses,
    oldestPendingMs: (topic, partition) => entries.get(keyOf(topic, partition))?.worker?.oldestPendingMs(),
    async handleBatch(payload) {
      const { batch } = payload;
      // A batch of only transaction markers or aborted records still moves the partition's position.
      if (draining || !payload.isRunning() || payload.isStale() || batch.firstOffset() === null) return;
      const { topic, partition } = batch;
      const key = keyOf(topic, partition);
      const entry = entries.get(key);
      if (!entry) {
        // Dropped, not resolved: after the claim the consumer is rewound to the committed offset anyway.
        startClaim(topic, partition);
        return;
      }
      if (!entry.worker) return;
      if (!firstSeen.has(key)) firstSeen.set(key, batch.messages[0]?.offset ?? batch.firstOffset() ?? '0');
      entry.worker.accept(batch.messages, batch.lastOffset());
      payload.resolveOffset(batch.lastOffset());
    },
    onAssignment(assignment, generationId) {
      const consecutive =
        limits.keepClaims &&
        generationId !== undefined &&
        lastGeneration !== undefined &&
        generationId === lastGeneration + 1;
      lastGeneration = generationId;
      const next = new Set(
        Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((p) => keyOf(topic, p))),
      );
      const kept = new Set<string>();
      for (const [key, entry] of entries) {
        if (consecutive && next.has(key) && entry.worker?.state() === 'active') {
          kept.add(key);
          entry.generation = generationId;
          continue;
        }
        entry.worker?.retire();
        entry.abort.abort();
        entry.cancelBackoff?.();
        entries.delete(key);
      }
      for (const key of [...firstSeen.keys()]) if (!kept.has(key)) firstSeen.delete(key);
      metrics.claimsKept.inc(kept.size);
      pauses.clearPartitionReasons(kept);
      pauses.assign(
        Object.entries(assignment).flatMap(([topic, partitions]) =>
          partitions.map((partition) => ({ topic, partition })),
        ),
      );
      void deps
        .onAssignment?.(assignment)
        .catch((error: unknown) => deps.logger.warn({ err: error }, 'releasing revoked partitions failed'));
    },
    async drain(timeoutMs) {
      draining = true;
      pauses.setAll('draining', true);
      for (const entry of entries.values()) if (!entry.worker) entry.abort.abort();
      await Promise.all([...entries.values()].flatMap((entry) => entry.worker?.drain(timeoutMs) ?? []));
    },
    retireAll,
  };
}
