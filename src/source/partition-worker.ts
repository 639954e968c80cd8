/**
 * Works one claimed input partition, from the records the consumer hands it
 * to committed transactions:
 * - records run concurrently, key-ordered (key-ordered-queue.ts), up to
 *   `maxInFlight` for the partition and the instance-wide gate;
 * - a record that fails retryably (CXone down, the registry down) is parked
 *   and retried with backoff; only the later records of its key wait for it;
 * - finished records are committed as soon as the previous transaction is
 *   done (so batches grow with load): their outputs, and the input offset as
 *   a low watermark with the records finished past it in its metadata
 *   (done-offsets.ts), so a record stuck at the head holds back nothing but
 *   the offset number itself;
 * - what it holds is bounded: past `maxBufferedPerPartition` unfinished records it asks
 *   for its partition to be paused, and resumes at half.
 * A failed commit ends the worker: the supervisor claims the partition afresh.
 */
import type { KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { ConnectorError, describeError, errorCode, failureClass } from '../errors.ts';
import type { DedupStore, UncommittedEntry } from '../dedup/dedup-store.ts';
import type { ConnectorMetrics } from '../observability/metrics.ts';
import { chainStateAt, type ChainState, type CheckpointPolicy } from '../audit/chain-writer.ts';
import type { InputRecord, OutputMessage, RecordOutputs, RecordProcessor } from '../contracts/records.ts';
import { sealAuditRecords } from '../output/audit-sealing.ts';
import type { BufferBudget } from './buffer-budget.ts';
import type { ConcurrencyGate } from './concurrency-gate.ts';
import { planNextCommit, type CommitPlan, type Slot } from './commit-plan.ts';
import { encodeCommitMetadata } from './commit-metadata.ts';
import { createKeyOrderedQueue } from './key-ordered-queue.ts';

export interface PartitionPosition {
  /** The committed low watermark; undefined when the group never committed this partition. */
  committed: bigint | undefined;
  /** Offsets past `committed` whose records are already done and committed. */
  done: ReadonlySet<bigint>;
  /** The audit chain as the last commit left it; absent: the chain begins. */
  chain?: ChainState | undefined;
}

export interface WorkerCommit {
  outputs: RecordOutputs[];
  /** The new committed offset: the first record not done. */
  nextOffset: bigint;
  /** The records done past `nextOffset` and the audit chain's state (commit-metadata.ts), or null. */
  metadata: string | null;
  /** Signed audit checkpoints that fell due with this commit. */
  checkpoints: OutputMessage[];
}

/** The per-partition `processing` settings, under their config names. */
export interface WorkerLimits {
  /** Records of this partition in flight at once (distinct keys only). */
  maxInFlightPerPartition: number;
  /** Unfinished records before the partition asks to be paused; resumed at half. */
  maxBufferedPerPartition: number;
  maxRecordsPerCommit: number;
  /** A record that fails retryably waits this long, doubling up to recordRetryMaxMs. */
  recordRetryInitialMs: number;
  recordRetryMaxMs: number;
}

export interface PartitionWorkerDeps {
  topic: string;
  partition: number;
  position: PartitionPosition;
  processRecord: RecordProcessor;
  commit(commit: WorkerCommit): Promise<void>;
  /** The partition's audit chain: its name and when to checkpoint. Absent: audit records go as they are. */
  auditChain?: { name: string; policy: CheckpointPolicy } | undefined;
  dedup: Pick<DedupStore, 'remember'>;
  /**
   * Local dedup checkpoints of this partition while it is owned (dedup.stateDir): taken right after
   * a commit, with the next commit held until it is done (see dedup/checkpoint-keeper.ts).
   */
  dedupCheckpoint?: WorkerDedupCheckpoint | undefined;
  gate: ConcurrencyGate;
  budget: BufferBudget;
  limits: WorkerLimits;
  onBackpressure(on: boolean): void;
  /** The worker stopped itself after a failed commit; the partition must be claimed again. */
  onFailure(error: unknown): void;
  metrics: ConnectorMetrics;
  logger: Logger;
  now: () => number;
  /** Runs `fn` after `ms`; returns a cancel function. */
  schedule: (fn: () => void, ms: number) => () => void;
}

export interface WorkerDedupCheckpoint {
  due(): boolean;
  take(uncommitted: () => readonly UncommittedEntry[] | undefined): Promise<void>;
}

export type WorkerState = 'active' | 'draining' | 'stopped';

export interface PartitionWorker {
  /** Takes the next records of the partition (already seen offsets are ignored). */
  /**
   * Takes a fetched batch's records. `lastOffset`: the batch's last offset, which is past its last
   * record when the batch ends in transaction markers or aborted records; the committed offset may
   * move past those, or a transactionally written input would keep a lag of one marker forever.
   */
  accept(messages: readonly KafkaMessage[], lastOffset?: string): void;
  /** Starts nothing new, lets records in flight finish (aborting them after `timeoutMs`), commits, stops. */
  drain(timeoutMs: number): Promise<void>;
  /** Stops at once: nothing more is committed, in-flight work is abandoned (it will be replayed). */
  retire(): void;
  state(): WorkerState;
  /** The Kafka timestamp of the oldest record taken but not yet committed (undefined: none). */
  oldestPendingMs(): number | undefined;
}

export function createPartitionWorker(deps: PartitionWorkerDeps): PartitionWorker {
  const { topic, partition, limits } = deps;
  const log = deps.logger.child({ topic, partition });
  const queue = createKeyOrderedQueue<Slot>();
  const abort = new AbortController();
  const timers = new Set<() => void>();
  // Every slot from the committed offset on, in offset order; committed ones are trimmed from the head.
  let slots: Slot[] = [];
  let head = 0;
  let state: WorkerState = 'active';
  let committedOffset = deps.position.committed;
  const restoredDone = new Set(deps.position.done);
  /** The dedup entries of records done but not committed yet, in the order they were set. */
  const uncommitted = new Map<Slot, UncommittedEntry[]>();
  /** A commit went out since the last dedup checkpoint (the claim's restore wrote one). */
  let uncheckpointed = false;
  let chain: ChainState = deps.position.chain ?? chainStateAt();
  /** The open span's checkpoint fell due with nothing else to commit: the next commit is forced. */
  let checkpointDue = false;
  let checkpointTimer: (() => void) | undefined;
  let highest: bigint | undefined;
  let running = 0;
  /** The record a held record fault (processing.onRecordFault: hold) stopped the partition at. */
  let held: Slot | undefined;
  let buffered = 0;
  let bufferedBytes = 0;
  let pressured = false;
  let waitingForGate = false;
  let committing = false;
  let drained: { promise: Promise<void>; resolve: () => void } | undefined;
  // A function, so TypeScript does not narrow `state` across an await.
  const isStopped = () => state === 'stopped';

  function accept(messages: readonly KafkaMessage[], lastOffset?: string): void {
    if (state !== 'active') return;
    const covered = lastOffset === undefined ? undefined : BigInt(lastOffset);
    let added = 0;
    let addedBytes = 0;
    let skippedDone = false;
    for (const m of messages) {
      const offset = BigInt(m.offset);
      if (highest !== undefined && offset <= highest) continue;
      highest = offset;
      if (committedOffset !== undefined && offset < committedOffset) continue;
      const timestampMs = Number(m.timestamp);
      if (restoredDone.delete(offset)) {
        // Done and committed by an earlier owner past its committed offset: not again.
        slots.push({
          offset,
          key: '',
          state: 'committed',
          record: undefined,
          outputs: undefined,
          bytes: 0,
          timestampMs,
          attempts: 0,
        });
        skippedDone = true;
        continue;
      }
      const key = m.key === null ? `\u0000offset:${m.offset}` : m.key.toString('latin1');
      const bytes = (m.value?.length ?? 0) + (m.key?.length ?? 0);
      const slot: Slot = {
        offset,
        key,
        state: 'queued',
        outputs: undefined,
        bytes,
        timestampMs,
        attempts: 0,
        record: {
          topic,
          partition,
          offset: m.offset,
          key: m.key,
          value: m.value,
          headers: m.headers as Record<string, unknown>,
          timestampMs,
        },
      };
      slots.push(slot);
      queue.push(slot, key);
      added++;
      addedBytes += bytes;
    }
    if (added > 0) {
      deps.metrics.recordsConsumed.inc({ topic }, added);
      buffered += added;
      bufferedBytes += addedBytes;
      deps.budget.add(added, addedBytes);
      checkPressure();
      pump();
    }
    // Never below the committed offset: a batch fetched before the claim's seek must not move it back.
    const coversNew =
      covered !== undefined &&
      (highest === undefined || covered > highest) &&
      (committedOffset === undefined || covered >= committedOffset);
    if (coversNew) {
      highest = covered;
      skippedDone = true;
    }
    if (skippedDone) scheduleCommit();
  }

  function pump(): void {
    // A held record fault (processing.onRecordFault: hold) stops the partition: nothing new starts.
    if (held !== undefined) return;
    while (state === 'active' && running < limits.maxInFlightPerPartition && queue.readyCount() > 0) {
      if (!deps.gate.tryAcquire()) {
        waitForGate();
        return;
      }
      start(queue.take() as Slot);
    }
  }

  function waitForGate(): void {
    if (waitingForGate) return;
    waitingForGate = true;
    deps.gate.waitForSlot(() => {
      waitingForGate = false;
      if (state !== 'active' || running >= limits.maxInFlightPerPartition || queue.readyCount() === 0) {
        deps.gate.release();
        return;
      }
      start(queue.take() as Slot);
      pump();
    });
  }

  function start(slot: Slot): void {
    running++;
    slot.state = 'running';
    void run(slot);
  }

  async function run(slot: Slot): Promise<void> {
    let outputs: RecordOutputs | undefined;
    let error: unknown;
    try {
      outputs = await deps.processRecord(slot.record as InputRecord, abort.signal);
    } catch (caught) {
      error = caught ?? new Error('record processing failed without an error');
    }
    running--;
    deps.gate.release();
    if (state === 'stopped') return;
    if (outputs !== undefined) complete(slot, outputs);
    else if (state === 'draining') slot.state = 'queued';
    else park(slot, error);
    pump();
    checkDrained();
  }

  function complete(slot: Slot, outputs: RecordOutputs): void {
    if (held === slot) held = undefined;
    slot.state = 'done';
    slot.outputs = outputs;
    slot.record = undefined;
    // Only a live worker may teach the store: a retired one's work is never committed.
    if (outputs.remember.length > 0) {
      uncommitted.set(
        slot,
        outputs.remember.map(({ key, entry }) => deps.dedup.remember({ topic, partition }, key, entry)),
      );
    }
    queue.finish(slot, slot.key);
    scheduleCommit();
  }

  function park(slot: Slot, error: unknown): void {
    slot.attempts++;
    slot.state = 'parked';
    const code = errorCode(error);
    const offset = slot.record?.offset;
    deps.metrics.recordRetries.inc({ code });
    let delayMs: number;
    if (failureClass(error) === 'config') {
      // A blocked route (or a held record) says when to look again; backing off further would only
      // delay the recovery once the cause is fixed. Its reason is logged where it is decided, once a minute.
      delayMs = (error as ConnectorError).retryAfterMs ?? limits.recordRetryInitialMs;
      if (code === 'RECORD_HELD') {
        held = slot;
        log.error(
          { offset, code, retryInMs: delayMs },
          `partition held at a record fault: ${describeError(error)}`,
        );
      } else {
        log.debug({ offset, code, retryInMs: delayMs }, `record waits: ${describeError(error)}`);
      }
    } else {
      const backoff = Math.min(
        limits.recordRetryInitialMs * 2 ** (slot.attempts - 1),
        limits.recordRetryMaxMs,
      );
      delayMs = Math.max(backoff, error instanceof ConnectorError ? (error.retryAfterMs ?? 0) : 0);
      log.warn(
        { offset, code, attempt: slot.attempts, retryInMs: delayMs },
        `record failed retryably, retrying it later; only later records of its key wait: ${describeError(error)}`,
      );
      if (!(error instanceof ConnectorError))
        log.error({ err: error }, 'unexpected error processing a record');
    }
    const cancel = deps.schedule(() => {
      timers.delete(cancel);
      if (state !== 'active' || slot.state !== 'parked') return;
      if (held === slot) {
        // The held record alone may run: it is still its key's head in the queue, so start it directly.
        if (deps.gate.tryAcquire()) start(slot);
        else park(slot, error);
        return;
      }
      slot.state = 'queued';
      queue.requeue(slot);
      pump();
    }, delayMs);
    timers.add(cancel);
  }

  function scheduleCommit(): void {
    if (committing || state === 'stopped') return;
    committing = true;
    queueMicrotask(() => void commitLoop());
  }

  async function commitLoop(): Promise<void> {
    try {
      for (let plan = planCommit(); plan && state !== 'stopped'; plan = planCommit()) {
        for (const slot of plan.included) slot.state = 'committing';
        // This commit seals the chain: a checkpoint that fell due goes with it.
        checkpointDue = false;
        const started = deps.now();
        const outputs = plan.included.map((s) => s.outputs as RecordOutputs);
        const sealed = deps.auditChain
          ? sealAuditRecords(deps.auditChain.name, chain, outputs, started, deps.auditChain.policy)
          : undefined;
        await deps.commit({
          outputs: sealed?.outputs ?? outputs,
          checkpoints: sealed?.checkpoints ?? [],
          nextOffset: plan.nextOffset,
          metadata: sealed ? encodeCommitMetadata(plan.metadata, sealed.state) : plan.metadata,
        });
        // Retired while the transaction was out: its outcome no longer concerns this worker.
        if (isStopped()) return;
        if (sealed) chain = sealed.state;
        committed(plan, started);
        armCheckpoint();
        uncheckpointed = true;
        if (deps.dedupCheckpoint?.due()) await checkpointDedup();
      }
    } catch (error) {
      if (state !== 'stopped') {
        stop();
        deps.onFailure(error);
      }
    } finally {
      committing = false;
      checkDrained();
    }
  }

  /**
   * At a commit boundary, with the commit loop held: none of this partition's dedup records is in an
   * open transaction (dedup/checkpoint-keeper.ts).
   */
  async function checkpointDedup(): Promise<void> {
    uncheckpointed = false;
    await deps.dedupCheckpoint?.take(() => (isStopped() ? undefined : [...uncommitted.values()].flat()));
  }

  /** A drain ends with a checkpoint of what it committed, so a clean restart reads nothing of the topic. */
  async function finalCheckpoint(): Promise<void> {
    committing = true;
    try {
      await checkpointDedup();
    } finally {
      committing = false;
      checkDrained();
    }
  }

  const planCommit = (): CommitPlan | undefined =>
    planNextCommit(
      { slots, head, highest, committedOffset, restoredDone },
      limits.maxRecordsPerCommit,
      checkpointDue && spanOpen(),
    );

  const spanOpen = (): boolean => chain.head.seq >= chain.spanFirst;

  /**
   * An open span is signed within audit.checkpointIntervalMs even when the partition goes quiet: a
   * timer forces a commit that carries only the checkpoint, so records never stay unsigned for long.
   */
  function armCheckpoint(): void {
    const policy = deps.auditChain?.policy;
    if (!policy?.signer || checkpointTimer !== undefined || !spanOpen() || state !== 'active') return;
    // A span a previous owner left open: its clock starts at this claim.
    const startedAt = chain.spanStartedAt ?? deps.now();
    chain = { ...chain, spanStartedAt: startedAt };
    const cancel = deps.schedule(
      () => {
        timers.delete(cancel);
        checkpointTimer = undefined;
        if (state !== 'active') return;
        if (!spanOpen()) return;
        checkpointDue = true;
        scheduleCommit();
      },
      Math.max(0, startedAt + policy.intervalMs - deps.now()),
    );
    checkpointTimer = cancel;
    timers.add(cancel);
  }
  armCheckpoint();

  function committed(plan: CommitPlan, startedAt: number): void {
    const at = deps.now();
    let bytes = 0;
    for (const slot of plan.included) {
      uncommitted.delete(slot);
      slot.state = 'committed';
      slot.outputs = undefined;
      bytes += slot.bytes;
      // A record without a timestamp (-1) says nothing about lag.
      if (slot.timestampMs > 0) deps.metrics.endToEndSeconds.observe((at - slot.timestampMs) / 1000);
    }
    release(plan.included.length, bytes);
    committedOffset = plan.nextOffset;
    for (const offset of restoredDone) if (offset < plan.nextOffset) restoredDone.delete(offset);
    while (head < slots.length && (slots[head] as Slot).state === 'committed') head++;
    if (head > 1024 && head * 2 > slots.length) {
      slots = slots.slice(head);
      head = 0;
    }
    deps.metrics.commitSeconds.observe((at - startedAt) / 1000);
    deps.metrics.commitRecords.observe(plan.included.length);
    deps.metrics.batchesCommitted.inc({ topic });
  }

  function release(records: number, bytes: number): void {
    if (records === 0 && bytes === 0) return;
    buffered -= records;
    bufferedBytes -= bytes;
    deps.budget.remove(records, bytes);
    checkPressure();
  }

  function checkPressure(): void {
    if (!pressured && buffered >= limits.maxBufferedPerPartition) {
      pressured = true;
      deps.onBackpressure(true);
    } else if (pressured && buffered <= limits.maxBufferedPerPartition / 2) {
      pressured = false;
      deps.onBackpressure(false);
    }
  }

  function stop(): void {
    state = 'stopped';
    abort.abort(new ConnectorError('SHUTDOWN', 'lifecycle', `work on ${topic}[${partition}] stopped`));
    for (const cancel of timers) cancel();
    timers.clear();
    release(buffered, bufferedBytes);
    drained?.resolve();
  }

  function checkDrained(): void {
    if (state !== 'draining' || running > 0 || committing) return;
    if (planCommit()) scheduleCommit();
    else if (deps.dedupCheckpoint && uncheckpointed) void finalCheckpoint();
    else stop();
  }

  return {
    accept,
    drain(timeoutMs) {
      if (state === 'stopped') return Promise.resolve();
      if (!drained) {
        let resolve: () => void = () => undefined;
        const promise = new Promise<void>((r) => (resolve = r));
        drained = { promise, resolve };
        state = 'draining';
        // Parked records are not retried during a drain: the next owner replays them.
        for (const cancel of timers) cancel();
        timers.clear();
        timers.add(
          deps.schedule(
            () => abort.abort(new ConnectorError('SHUTDOWN', 'lifecycle', 'drain timed out')),
            timeoutMs,
          ),
        );
        checkDrained();
      }
      return drained.promise;
    },
    retire() {
      if (state !== 'stopped') stop();
    },
    state: () => state,
    oldestPendingMs() {
      for (let i = head; i < slots.length; i++) {
        const slot = slots[i] as Slot;
        if (slot.state !== 'committed') return slot.timestampMs;
      }
      return undefined;
    },
  };
}
