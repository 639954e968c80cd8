import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EachBatchPayload, KafkaMessage, TopicPartitions } from 'kafkajs';
import { KafkaOutputError } from '../../../src/errors.ts';
import { createPartitionSupervisor } from '../../../src/source/partition-supervisor.ts';
import type { PartitionPosition, WorkerCommit } from '../../../src/source/partition-worker.ts';
import {
  controlledProcessor,
  manualClock,
  message,
  settle,
  silentLogger,
  testMetrics,
} from './source-fakes.ts';

const LIMITS = {
  maxInFlightPerPartition: 8,
  maxInFlight: 64,
  maxBufferedPerPartition: 100,
  maxBufferedRecords: 1000,
  maxBufferedBytes: 1_000_000,
  maxRecordsPerCommit: 500,
  recordRetryInitialMs: 1000,
  recordRetryMaxMs: 8000,
  failureBackoffMs: 5000,
  keepClaims: true,
};

function setup(positions: (PartitionPosition | Error)[]) {
  const clock = manualClock();
  const p = controlledProcessor();
  const seeks: string[] = [];
  const paused = new Set<string>();
  const commits: WorkerCommit[] = [];
  let claims = 0;
  let failCommits = false;
  const each = (list: TopicPartitions[], fn: (key: string) => void) =>
    list.forEach(({ topic, partitions }) => partitions?.forEach((n) => fn(`${topic}:${n}`)));
  const supervisor = createPartitionSupervisor({
    claim: async () => {
      const next = positions[Math.min(claims++, positions.length - 1)];
      if (next instanceof Error) throw next;
      return next as PartitionPosition;
    },
    commit: async (_topic, _partition, commit) => {
      if (failCommits) throw new KafkaOutputError('KAFKA_ERROR', 'fenced', { retryable: true });
      commits.push(commit);
    },
    processRecord: p.processRecord,
    dedup: { remember: (_scope, key, entry) => ({ key, entry, previous: undefined }) },
    consumer: {
      pause: (list) => each(list, (k) => paused.add(k)),
      resume: (list) => each(list, (k) => paused.delete(k)),
      seek: ({ topic, partition, offset }) => seeks.push(`${topic}:${partition}@${offset}`),
    },
    limits: LIMITS,
    metrics: testMetrics(),
    logger: silentLogger,
    now: clock.now,
    schedule: clock.schedule,
  });
  supervisor.onAssignment({ t: [0] });
  const resolved: string[] = [];
  const deliver = async (messages: KafkaMessage[], stale = false) => {
    const payload = {
      batch: {
        topic: 't',
        partition: 0,
        messages,
        firstOffset: () => messages[0]?.offset ?? null,
        lastOffset: () => messages.at(-1)?.offset ?? '-1',
      },
      isRunning: () => true,
      isStale: () => stale,
      resolveOffset: (offset: string) => resolved.push(offset),
    } as unknown as EachBatchPayload;
    await supervisor.handleBatch(payload);
    await settle();
  };
  return {
    supervisor,
    clock,
    p,
    seeks,
    paused,
    commits,
    resolved,
    deliver,
    claimCount: () => claims,
    failCommits: (on: boolean) => (failCommits = on),
  };
}

const batch = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => message(from + i, `k${from + i}`));

describe('partition supervisor', () => {
  it('claims a partition on its first batch, paused meanwhile, then rewinds to the committed offset', async () => {
    const s = setup([{ committed: 3n, done: new Set() }]);
    await s.deliver(batch(7, 9));
    assert.equal(s.claimCount(), 1);
    assert.deepEqual(s.resolved, [], 'the first batch is dropped, not resolved');
    assert.deepEqual(s.seeks, ['t:0@3']);
    assert.equal(s.paused.has('t:0'), false, 'resumed once claimed');
    assert.deepEqual(s.p.started(), []);
    await s.deliver(batch(3, 5), true);
    assert.deepEqual(s.p.started(), [], 'a stale batch (seek pending) is ignored');
    await s.deliver(batch(3, 5));
    assert.deepEqual(s.p.started(), [3, 4, 5]);
    assert.deepEqual(s.resolved, ['5']);
  });

  it('a failed commit backs the partition off, then claims it again and starts from what was committed', async () => {
    const s = setup([
      { committed: 0n, done: new Set() },
      { committed: 1n, done: new Set() },
    ]);
    await s.deliver(batch(0, 0));
    await s.deliver(batch(0, 2));
    s.p.resolve(0);
    await settle();
    assert.equal(s.commits.at(-1)?.nextOffset, 1n);
    s.failCommits(true);
    s.p.resolve(1);
    await settle();
    assert.equal(s.paused.has('t:0'), true, 'paused for the backoff');
    assert.ok(s.p.signalOf(2)?.aborted, 'the failed worker stopped its work');
    await s.deliver(batch(3, 4));
    assert.equal(s.claimCount(), 1, 'no claim during the backoff');
    s.failCommits(false);
    s.clock.advance(5000);
    assert.equal(s.paused.has('t:0'), false);
    await s.deliver(batch(3, 4));
    assert.equal(s.claimCount(), 2);
    assert.deepEqual(s.seeks, ['t:0@0', 't:0@1']);
    await s.deliver(batch(1, 4));
    assert.deepEqual(s.p.started().slice(3), [1, 2, 3, 4], 'everything not committed runs again');
  });

  it('a rebalance retires every worker; the next batch claims afresh', async () => {
    const s = setup([
      { committed: 0n, done: new Set() },
      { committed: 0n, done: new Set([1n]) },
    ]);
    await s.deliver(batch(0, 0));
    await s.deliver(batch(0, 1));
    s.supervisor.onAssignment({ t: [0] });
    assert.ok(s.p.signalOf(0)?.aborted);
    await s.deliver(batch(0, 1));
    assert.equal(s.claimCount(), 2);
    await s.deliver(batch(0, 1));
    assert.deepEqual(s.p.started(), [0, 1, 0], 'offset 1, done past the committed offset, is skipped');
  });

  it('a partition kept from the generation just before keeps its worker and claim; a gap claims afresh', async () => {
    const s = setup([
      { committed: 0n, done: new Set() },
      { committed: 0n, done: new Set() },
    ]);
    s.supervisor.onAssignment({ t: [0] }, 7);
    await s.deliver(batch(0, 0));
    await s.deliver(batch(0, 1));
    assert.equal(s.claimCount(), 1);
    // Generation 8 gives this member partition 0 again: nobody else can have had it.
    s.supervisor.onAssignment({ t: [0] }, 8);
    assert.equal(s.p.signalOf(0)?.aborted, false, 'the record in flight goes on');
    await s.deliver(batch(0, 2));
    assert.equal(s.claimCount(), 1, 'no new claim, no dedup restore');
    // This member missed generation 9 (frozen, say): another may have owned it in between.
    s.supervisor.onAssignment({ t: [0] }, 10);
    assert.ok(s.p.signalOf(0)?.aborted);
    await s.deliver(batch(0, 2));
    assert.equal(s.claimCount(), 2);
    // Without a generation id (an unpatched kafkajs) every rebalance claims afresh.
    s.supervisor.onAssignment({ t: [0] });
    await s.deliver(batch(0, 2));
    assert.equal(s.claimCount(), 3);
  });

  it('a claim that fails is retried after the backoff', async () => {
    const s = setup([new Error('coordinator not available'), { committed: 2n, done: new Set() }]);
    await s.deliver(batch(0, 0));
    assert.equal(s.paused.has('t:0'), true);
    s.clock.advance(5000);
    await s.deliver(batch(0, 0));
    assert.deepEqual(s.seeks, ['t:0@2']);
  });

  it('a partition never committed is rewound to the first offset its failed worker took', async () => {
    const s = setup([{ committed: undefined, done: new Set() }]);
    await s.deliver(batch(40, 40));
    assert.deepEqual(s.seeks, [], 'nothing committed: the reset policy decides where to start');
    await s.deliver(batch(40, 42));
    s.failCommits(true);
    s.p.resolve(40);
    await settle();
    s.clock.advance(5000);
    await s.deliver(batch(43, 43));
    assert.deepEqual(s.seeks, ['t:0@40']);
  });

  it('drain stops fetching, lets records in flight finish and commits them', async () => {
    const s = setup([{ committed: 0n, done: new Set() }]);
    await s.deliver(batch(0, 0));
    await s.deliver(batch(0, 1));
    const drained = s.supervisor.drain(30_000);
    assert.equal(s.paused.has('t:0'), true);
    s.p.resolve(0);
    s.p.resolve(1);
    await drained;
    assert.equal(s.commits.at(-1)?.nextOffset, 2n);
  });
});
