import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { ConnectorError, CxoneError, KafkaOutputError } from '../../../src/errors.ts';
import { createBufferBudget } from '../../../src/source/buffer-budget.ts';
import { createConcurrencyGate, type ConcurrencyGate } from '../../../src/source/concurrency-gate.ts';
import { decodeDoneOffsets } from '../../../src/source/done-offsets.ts';
import {
  createPartitionWorker,
  type PartitionPosition,
  type WorkerCommit,
  type WorkerDedupCheckpoint,
  type WorkerLimits,
} from '../../../src/source/partition-worker.ts';
import type { RecordProcessor } from '../../../src/contracts/records.ts';
import type { CheckpointPolicy } from '../../../src/audit/chain-writer.ts';
import type { Checkpoint } from '../../../src/audit/checkpoint.ts';
import { positionFrom } from '../../../src/source/partition-claims.ts';
import {
  controlledProcessor,
  manualClock,
  message,
  settle,
  silentLogger,
  testMetrics,
} from './source-fakes.ts';

const LIMITS: WorkerLimits = {
  maxInFlightPerPartition: 4,
  maxBufferedPerPartition: 100,
  maxRecordsPerCommit: 500,
  recordRetryInitialMs: 1_000,
  recordRetryMaxMs: 8_000,
};

interface Setup {
  processRecord: RecordProcessor;
  position?: PartitionPosition;
  limits?: Partial<WorkerLimits>;
  gate?: ConcurrencyGate;
  commit?: (commit: WorkerCommit) => Promise<void>;
  auditChain?: { name: string; policy: CheckpointPolicy };
  dedupCheckpoint?: WorkerDedupCheckpoint;
}

function setup(options: Setup) {
  const clock = manualClock();
  const commits: WorkerCommit[] = [];
  const remembered: string[] = [];
  const pressure: boolean[] = [];
  const failures: unknown[] = [];
  const budget = createBufferBudget({ maxRecords: 1e9, maxBytes: 1e12 });
  const worker = createPartitionWorker({
    topic: 'in',
    partition: 3,
    position: options.position ?? { committed: 0n, done: new Set() },
    processRecord: options.processRecord,
    commit: async (commit) => {
      await options.commit?.(commit);
      commits.push(commit);
    },
    auditChain: options.auditChain,
    dedupCheckpoint: options.dedupCheckpoint,
    dedup: {
      remember: (_scope, key, entry) => {
        remembered.push(Buffer.from(key).toString());
        return { key, entry, previous: undefined };
      },
    },
    gate: options.gate ?? createConcurrencyGate(1000),
    budget,
    limits: { ...LIMITS, ...options.limits },
    onBackpressure: (on) => pressure.push(on),
    onFailure: (error) => failures.push(error),
    metrics: testMetrics(),
    logger: silentLogger,
    now: clock.now,
    schedule: clock.schedule,
  });
  const committedRecords = () =>
    commits.flatMap((c) => c.outputs.flatMap((o) => o.results.map((r) => Number(String(r.value)))));
  const last = () => commits.at(-1);
  return { worker, clock, commits, committedRecords, last, remembered, pressure, failures, budget };
}

const outage = () => new CxoneError('CXONE_RETRIES_EXHAUSTED', 'CXone is down', { retryable: true });

describe('partition worker', () => {
  it('keeps per-key order, runs different keys concurrently up to maxInFlight', async () => {
    const p = controlledProcessor();
    const { worker, committedRecords, last } = setup({ processRecord: p.processRecord });
    // Keys: a a b c d e (offsets 0..5). maxInFlight 4: a(0) b c d start; a(1) waits for a(0), e for a slot.
    worker.accept(['a', 'a', 'b', 'c', 'd', 'e'].map((k, i) => message(i, k)));
    assert.deepEqual(p.started(), [0, 2, 3, 4]);
    p.resolve(3);
    await settle();
    assert.deepEqual(p.started(), [0, 2, 3, 4, 5], 'a freed slot goes to the next ready key');
    p.resolve(0);
    await settle();
    assert.deepEqual(p.started(), [0, 2, 3, 4, 5, 1], 'a(1) starts only after a(0) finished');
    for (const offset of [1, 2, 4, 5]) p.resolve(offset);
    await settle();
    assert.deepEqual(committedRecords().sort(), [0, 1, 2, 3, 4, 5]);
    assert.equal(last()?.nextOffset, 6n);
    assert.equal(last()?.metadata, null);
  });

  it('a record waiting on a retry holds back only its own key; the rest commits past it', async () => {
    const p = controlledProcessor();
    const { worker, clock, last, committedRecords } = setup({ processRecord: p.processRecord });
    worker.accept([message(10, 'a'), message(11, 'b'), message(12, 'a'), message(13, 'c')]);
    p.fail(10, outage());
    p.resolve(11);
    p.resolve(13);
    await settle();
    assert.deepEqual(committedRecords(), [11, 13], 'other keys are committed while a(10) waits');
    assert.equal(last()?.nextOffset, 10n, 'the committed offset stays at the waiting record');
    const decoded = decodeDoneOffsets(10n, last()?.metadata);
    assert.ok(decoded.ok);
    assert.deepEqual([...decoded.done], [11n, 13n], 'what is done past it travels in the metadata');
    assert.ok(!p.started().includes(12), 'a(12) may not overtake a(10)');

    clock.advance(999);
    assert.equal(p.calls.length, 3, 'no retry before the backoff');
    clock.advance(1);
    assert.deepEqual(p.started(), [10, 11, 13, 10], 'retried after 1 s');
    p.resolve(10);
    await settle();
    assert.deepEqual(p.started(), [10, 11, 13, 10, 12]);
    p.resolve(12);
    await settle();
    assert.deepEqual(committedRecords(), [11, 13, 10, 12]);
    assert.equal(last()?.nextOffset, 14n);
    assert.equal(last()?.metadata, null);
  });

  it('commits past a batch that ends in transaction markers, so a transactional input shows no lag', async () => {
    const p = controlledProcessor();
    const { worker, last } = setup({ processRecord: p.processRecord });
    // Offsets 0 and 1 are records, 2 is the commit marker of the transaction that wrote them.
    worker.accept([message(0, 'a'), message(1, 'b')], '2');
    p.resolve(0);
    p.resolve(1);
    await settle();
    assert.equal(last()?.nextOffset, 3n, 'past the marker, not stuck at 2');
    // A batch of markers only (an aborted transaction's records are filtered out) moves it on too.
    worker.accept([], '6');
    await settle();
    assert.equal(last()?.nextOffset, 7n);
    assert.deepEqual(last()?.outputs, []);
  });

  it('a batch that ends below the committed offset never moves it back', async () => {
    const p = controlledProcessor();
    const { worker, commits } = setup({
      processRecord: p.processRecord,
      position: { committed: 10n, done: new Set() },
    });
    worker.accept([message(4, 'a')], '5');
    await settle();
    assert.equal(commits.length, 0);
    assert.deepEqual(p.started(), []);
  });

  it('a record held by a configuration fault is retried when the route says, without backing off further', async () => {
    const p = controlledProcessor();
    const { worker, clock, committedRecords } = setup({ processRecord: p.processRecord });
    worker.accept([message(0, 'a'), message(1, 'b')]);
    const blocked = () =>
      new ConnectorError('ROUTE_BLOCKED', 'cxone', 'route blocked', { retryAfterMs: 500 });
    for (let attempt = 0; attempt < 4; attempt++) {
      p.fail(0, blocked());
      await settle();
      clock.advance(499);
      assert.equal(p.started().filter((o) => o === 0).length, attempt + 1, 'not before the probe time');
      clock.advance(1);
    }
    p.resolve(1);
    p.resolve(0);
    await settle();
    assert.deepEqual(
      committedRecords().sort(),
      [0, 1],
      'never dead-lettered: it completes once the route is fixed',
    );
  });

  it('a held record fault (onRecordFault: hold) stops the partition until that record gets through', async () => {
    const p = controlledProcessor();
    const { worker, clock, last } = setup({
      processRecord: p.processRecord,
      limits: { maxInFlightPerPartition: 1 },
    });
    worker.accept([message(0, 'a'), message(1, 'b'), message(2, 'c')]);
    p.fail(0, new ConnectorError('RECORD_HELD', 'decode', 'DECODE_AVRO: held', { retryAfterMs: 30_000 }));
    await settle();
    clock.advance(29_999);
    assert.deepEqual(p.started(), [0], 'no other record starts while the partition is held');
    clock.advance(1);
    assert.deepEqual(p.started(), [0, 0], 'the held record alone is tried again');
    p.resolve(0);
    await settle();
    assert.deepEqual(p.started(), [0, 0, 1], 'once it gets through, the partition goes on');
    p.resolve(1);
    await settle();
    p.resolve(2);
    await settle();
    assert.equal(last()?.nextOffset, 3n);
  });

  it('retries back off exponentially up to the maximum, honouring a longer Retry-After', async () => {
    const p = controlledProcessor();
    const { worker, clock } = setup({ processRecord: p.processRecord });
    worker.accept([message(0, 'a')]);
    const waits: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      p.fail(0, outage());
      await settle();
      const before = p.calls.length;
      let waited = 0;
      while (p.calls.length === before) {
        clock.advance(100);
        waited += 100;
      }
      waits.push(waited);
    }
    assert.deepEqual(waits, [1000, 2000, 4000, 8000, 8000]);
    p.fail(0, new CxoneError('CXONE_RATE_LIMITED', '429', { retryable: true, retryAfterMs: 20_000 }));
    await settle();
    clock.advance(19_999);
    assert.equal(p.calls.length, 6);
    clock.advance(1);
    assert.equal(p.calls.length, 7);
  });

  it('skips records a previous owner committed past its committed offset', async () => {
    const p = controlledProcessor();
    const { worker, last, committedRecords } = setup({
      processRecord: p.processRecord,
      position: { committed: 5n, done: new Set([6n, 8n]) },
    });
    worker.accept([3, 4, 5, 6, 7, 8, 9].map((o) => message(o, `k${o}`)));
    assert.deepEqual(p.started(), [5, 7, 9], 'below the committed offset and done: not again');
    p.resolve(7);
    await settle();
    assert.equal(last()?.nextOffset, 5n);
    const decoded = decodeDoneOffsets(5n, last()?.metadata);
    assert.ok(decoded.ok);
    assert.deepEqual([...decoded.done].sort(), [6n, 7n, 8n]);
    p.resolve(5);
    p.resolve(9);
    await settle();
    assert.deepEqual(committedRecords().sort(), [5, 7, 9]);
    assert.equal(last()?.nextOffset, 10n);
  });

  it('a partition that only replays done records still moves its committed offset', async () => {
    const p = controlledProcessor();
    const { worker, last } = setup({
      processRecord: p.processRecord,
      position: { committed: 0n, done: new Set([1n, 2n]) },
    });
    worker.accept([message(0, 'a'), message(1, 'b'), message(2, 'c')]);
    p.resolve(0);
    await settle();
    assert.equal(last()?.nextOffset, 3n);
    assert.equal(last()?.metadata, null);
  });

  it('batches grow while a transaction is out, and never exceed maxRecordsPerCommit', async () => {
    const p = controlledProcessor();
    let releaseCommit: () => void = () => undefined;
    let blocked = true;
    const { worker, commits } = setup({
      processRecord: p.processRecord,
      limits: { maxInFlightPerPartition: 100, maxRecordsPerCommit: 3 },
      commit: () => (blocked ? new Promise<void>((resolve) => (releaseCommit = resolve)) : Promise.resolve()),
    });
    worker.accept([0, 1, 2, 3, 4, 5, 6, 7].map((o) => message(o, `k${o}`)));
    p.resolve(0);
    await settle();
    for (const offset of [1, 2, 3, 4, 5, 6, 7]) p.resolve(offset);
    await settle();
    blocked = false;
    releaseCommit();
    await settle();
    assert.deepEqual(
      commits.map((c) => c.outputs.length),
      [1, 3, 3, 1],
    );
    assert.deepEqual(
      commits.map((c) => c.nextOffset),
      [1n, 4n, 7n, 8n],
    );
  });

  it('a dedup checkpoint is taken right after a commit, holds the next one, and leaves out what is not committed', async () => {
    const p = controlledProcessor();
    const taken: { committedBelow: bigint; uncommitted: string[] | undefined }[] = [];
    let releaseTake: () => void = () => undefined;
    let commitsSeen = 0;
    const { worker, commits, last } = setup({
      processRecord: p.processRecord,
      limits: { maxInFlightPerPartition: 100 },
      commit: async () => void commitsSeen++,
      dedupCheckpoint: {
        due: () => taken.length === 0,
        take: async (uncommitted) => {
          await new Promise<void>((resolve) => (releaseTake = resolve));
          const entries = uncommitted()?.map((u) => String(u.key));
          taken.push({ committedBelow: last()?.nextOffset ?? -1n, uncommitted: entries });
        },
      },
    });
    worker.accept([0, 1, 2, 3].map((o) => message(o, `k${o}`)));
    p.resolve(0);
    await settle();
    assert.equal(commitsSeen, 1, 'the first commit went out');
    // Done while the checkpoint is being taken: remembered, not committed.
    p.resolve(2);
    p.resolve(1);
    await settle();
    assert.equal(commitsSeen, 1, 'the next commit waits for the checkpoint');
    releaseTake();
    await settle();
    assert.deepEqual(taken, [{ committedBelow: 1n, uncommitted: ['k-2', 'k-1'] }]);
    assert.equal(commits.length, 2, 'then it goes out');
    assert.equal(last()?.nextOffset, 3n);
    p.resolve(3);
    await settle();
    assert.equal(taken.length, 1, 'the next is not due yet');
    assert.equal(last()?.nextOffset, 4n);
  });

  it('a drain checkpoints after its last commit; a stopped worker gives the checkpoint nothing', async () => {
    const p = controlledProcessor();
    const taken: (string[] | undefined)[] = [];
    const { worker } = setup({
      processRecord: p.processRecord,
      dedupCheckpoint: {
        due: () => false,
        take: async (uncommitted) => void taken.push(uncommitted()?.map((u) => String(u.key))),
      },
    });
    worker.accept([message(0, 'a')]);
    const drained = worker.drain(10_000);
    p.resolve(0);
    await drained;
    assert.deepEqual(taken, [[]], 'checkpointed once, with nothing uncommitted');

    const q = controlledProcessor();
    let take: (() => void) | undefined;
    const stopped: (string[] | undefined)[] = [];
    const other = setup({
      processRecord: q.processRecord,
      dedupCheckpoint: {
        due: () => true,
        take: async (uncommitted) => {
          await new Promise<void>((resolve) => (take = resolve));
          stopped.push(uncommitted()?.map((u) => String(u.key)));
        },
      },
    });
    other.worker.accept([message(0, 'a')]);
    q.resolve(0);
    await settle();
    other.worker.retire();
    take?.();
    await settle();
    assert.deepEqual(stopped, [undefined], 'retired meanwhile: nothing to write');
  });

  it('asks for a pause at maxBuffered and a resume at half', async () => {
    const p = controlledProcessor();
    const { worker, pressure } = setup({
      processRecord: p.processRecord,
      limits: { maxInFlightPerPartition: 100, maxBufferedPerPartition: 4 },
    });
    worker.accept([0, 1, 2].map((o) => message(o, `k${o}`)));
    assert.deepEqual(pressure, []);
    worker.accept([message(3, 'k3')]);
    assert.deepEqual(pressure, [true]);
    p.resolve(0);
    await settle();
    assert.deepEqual(pressure, [true], '3 buffered is still over half');
    p.resolve(1);
    await settle();
    assert.deepEqual(pressure, [true, false]);
  });

  it('shares the instance-wide gate with other partitions', async () => {
    const gate = createConcurrencyGate(3);
    const p1 = controlledProcessor();
    const p2 = controlledProcessor();
    const w1 = setup({ processRecord: p1.processRecord, gate });
    const w2 = setup({ processRecord: p2.processRecord, gate });
    w1.worker.accept([0, 1, 2].map((o) => message(o, `k${o}`)));
    w2.worker.accept([0, 1].map((o) => message(o, `k${o}`)));
    assert.equal(p1.calls.length, 3);
    assert.equal(p2.calls.length, 0, 'the instance-wide bound holds although w2 is under its own');
    w1.worker.accept([message(3, 'k3')]);
    p1.resolve(0);
    await settle();
    assert.equal(p2.calls.length, 1, 'the freed slot goes to the partition that waited first');
    assert.equal(p1.calls.length, 3);
    assert.equal(gate.inUse(), 3);
  });

  it('a failed commit stops the worker: nothing more is committed or remembered', async () => {
    const p = controlledProcessor();
    let failNext = true;
    const { worker, commits, failures, remembered, budget } = setup({
      processRecord: p.processRecord,
      commit: async () => {
        if (failNext) throw new KafkaOutputError('KAFKA_ERROR', 'fenced', { retryable: true });
      },
    });
    worker.accept([message(0, 'a'), message(1, 'b')]);
    p.resolve(0);
    await settle();
    assert.equal(failures.length, 1);
    assert.equal(worker.state(), 'stopped');
    assert.ok(p.signalOf(1)?.aborted, 'work in flight is cut off');
    failNext = false;
    p.resolve(1);
    await settle();
    assert.equal(commits.length, 0);
    assert.deepEqual(remembered, ['k-0'], 'a record finishing after the stop teaches the store nothing');
    assert.equal(budget.records(), 0, 'its buffer is given back');
  });

  it('drain: starts nothing new, lets in-flight records finish, commits, stops', async () => {
    const p = controlledProcessor();
    const { worker, last, committedRecords } = setup({
      processRecord: p.processRecord,
      limits: { maxInFlightPerPartition: 2 },
    });
    worker.accept([0, 1, 2, 3].map((o) => message(o, `k${o}`)));
    const drained = worker.drain(30_000);
    assert.equal(worker.state(), 'draining');
    p.resolve(1);
    await settle();
    assert.deepEqual(p.started(), [0, 1], 'nothing new starts while draining');
    p.resolve(0);
    await drained;
    assert.equal(worker.state(), 'stopped');
    assert.deepEqual(committedRecords().sort(), [0, 1]);
    assert.equal(last()?.nextOffset, 2n, 'the rest is left for the next owner');
  });

  it('drain cuts records off after its timeout and commits what finished', async () => {
    const p = controlledProcessor();
    const { worker, clock, last } = setup({ processRecord: p.processRecord });
    worker.accept([message(0, 'a'), message(1, 'b')]);
    p.resolve(1);
    await settle();
    const drained = worker.drain(5_000);
    clock.advance(5_000);
    assert.ok(p.signalOf(0)?.aborted);
    p.fail(0, new CxoneError('CXONE_NETWORK', 'cancelled by shutdown', { retryable: true }));
    await drained;
    assert.equal(last()?.nextOffset, 0n);
    assert.ok(decodeDoneOffsets(0n, last()?.metadata).ok);
  });

  it("signs a quiet partition's open span within checkpointIntervalMs, with a commit of nothing else", async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const auditChain = {
      name: 'in/3',
      policy: { every: 1000, intervalMs: 5000, signer: { keyId: 'k', privateKey } },
    };
    const signed = (c: WorkerCommit | undefined) =>
      (c?.checkpoints ?? []).map((m) => JSON.parse(String(m.value)) as Checkpoint);
    const p = controlledProcessor();
    const { worker, clock, commits, last } = setup({ processRecord: p.processRecord, auditChain });
    worker.accept([0, 1, 2].map((i) => message(i, `k${i}`)));
    for (const i of [0, 1, 2]) p.resolve(i);
    await settle();
    assert.equal(commits.length, 1);
    assert.deepEqual(signed(last()), [], 'the span is young');
    clock.advance(4999);
    await settle();
    assert.equal(commits.length, 1);
    clock.advance(1);
    await settle();
    assert.equal(commits.length, 2, 'the timer forced a commit');
    assert.deepEqual(last()?.outputs, []);
    assert.equal(last()?.nextOffset, 3n);
    assert.deepEqual(
      signed(last()).map((c) => [c.firstSeq, c.lastSeq]),
      [[0, 2]],
    );
    clock.advance(60_000);
    await settle();
    assert.equal(commits.length, 2, 'a closed span needs nothing more');
    worker.retire();

    // A new owner of a span left open signs it within the interval, with no record of its own.
    const open = commits[0] as WorkerCommit;
    const next = setup({
      processRecord: p.processRecord,
      auditChain,
      position: positionFrom(String(open.nextOffset), open.metadata, (reason) => assert.fail(reason)),
    });
    next.clock.advance(5000);
    await settle();
    assert.deepEqual(
      signed(next.last()).map((c) => [c.firstSeq, c.lastSeq]),
      [[0, 2]],
    );
    next.worker.retire();
  });
});
