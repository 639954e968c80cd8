/**
 * Properties of the partition worker's bookkeeping under any completion
 * order, retries, offset gaps and a crash at any point: across the crash,
 * every record's outputs are committed exactly once, a key's records finish
 * in offset order, and the partition ends fully committed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateKeyPairSync } from 'node:crypto';
import avro from 'avsc';
import fc from 'fast-check';
import { CxoneError } from '../../../src/errors.ts';
import { hashedBytes } from '../../../src/audit/audit-chain.ts';
import type { CheckpointPolicy } from '../../../src/audit/chain-writer.ts';
import type { Checkpoint } from '../../../src/audit/checkpoint.ts';
import { verifyChains } from '../../../src/audit/verify-chain.ts';
import { decodeCommitMetadata } from '../../../src/source/commit-metadata.ts';
import { positionFrom } from '../../../src/source/partition-claims.ts';
import { createBufferBudget } from '../../../src/source/buffer-budget.ts';
import { createConcurrencyGate } from '../../../src/source/concurrency-gate.ts';
import { createPartitionWorker, type WorkerCommit } from '../../../src/source/partition-worker.ts';
import type { KafkaMessage } from 'kafkajs';
import {
  controlledProcessor,
  manualClock,
  message,
  settle,
  silentLogger,
  testMetrics,
} from './source-fakes.ts';

interface Run {
  commits: WorkerCommit[];
  finishedByKey: Map<string, number[]>;
}

/** Drives one worker with `choices` until nothing is pending or `steps` choices are used. */
async function drive(
  messages: KafkaMessage[],
  position: { committed: bigint | undefined; done: ReadonlySet<bigint> },
  choices: number[],
  steps: number,
  limits: { maxInFlightPerPartition: number; maxRecordsPerCommit: number },
  auditChain?: { name: string; policy: CheckpointPolicy },
): Promise<Run> {
  const clock = manualClock();
  const p = controlledProcessor();
  const commits: WorkerCommit[] = [];
  const finishedByKey = new Map<string, number[]>();
  const worker = createPartitionWorker({
    topic: 't',
    partition: 0,
    position,
    processRecord: async (record, signal) => {
      const outputs = await p.processRecord(record, signal);
      const key = record.key?.toString() ?? '';
      finishedByKey.set(key, [...(finishedByKey.get(key) ?? []), Number(record.offset)]);
      return outputs;
    },
    commit: async (commit) => {
      commits.push(commit);
    },
    auditChain,
    dedup: { remember: (_scope, key, entry) => ({ key, entry, previous: undefined }) },
    gate: createConcurrencyGate(1000),
    budget: createBufferBudget({ maxRecords: 1e9, maxBytes: 1e12 }),
    limits: { ...limits, maxBufferedPerPartition: 1e6, recordRetryInitialMs: 10, recordRetryMaxMs: 10 },
    onBackpressure: () => undefined,
    onFailure: (error) => assert.fail(`unexpected failure: ${String(error)}`),
    metrics: testMetrics(),
    logger: silentLogger,
    now: clock.now,
    schedule: clock.schedule,
  });
  // kafkajs hands records over in batches of any size.
  for (let i = 0; i < messages.length; i += 7) worker.accept(messages.slice(i, i + 7));
  let used = 0;
  const failed = new Map<string, number>();
  while (used < steps) {
    await settle(3);
    const pending = p.pending();
    if (pending.length === 0) {
      // Straight to the next timer: a retry's, or an audit checkpoint's far ahead.
      const next = clock.nextIn();
      if (next === undefined) break;
      clock.advance(Math.max(10, next));
      continue;
    }
    const choice = choices[used % choices.length] ?? 0;
    used++;
    const call = pending[choice % pending.length];
    if (!call) continue;
    // Each record fails at most twice, so every run can end.
    const failures = failed.get(call.record.offset) ?? 0;
    if (choice % 5 === 0 && failures < 2) {
      failed.set(call.record.offset, failures + 1);
      call.fail(new CxoneError('CXONE_TIMEOUT', 'timeout', { retryable: true }));
    } else call.resolve();
  }
  await settle(5);
  worker.retire();
  return { commits, finishedByKey };
}

const scenario = fc.record({
  keys: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 60 }),
  gaps: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 60, maxLength: 60 }),
  choices: fc.array(fc.nat(), { minLength: 1, maxLength: 50 }),
  crashAfter: fc.nat({ max: 80 }),
  maxInFlightPerPartition: fc.integer({ min: 1, max: 6 }),
  maxRecordsPerCommit: fc.integer({ min: 1, max: 10 }),
});

describe('partition worker properties', () => {
  it('across a crash at any point, each record is committed exactly once and the partition ends committed', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        let offset = 5;
        const messages = s.keys.map((key, i) => {
          const m = message(offset, `k${key}`);
          offset += s.gaps[i] ?? 1;
          return m;
        });
        const limits = {
          maxInFlightPerPartition: s.maxInFlightPerPartition,
          maxRecordsPerCommit: s.maxRecordsPerCommit,
        };
        const first = await drive(
          messages,
          { committed: undefined, done: new Set() },
          s.choices,
          s.crashAfter,
          limits,
        );
        const last = first.commits.at(-1);
        const position = last
          ? positionFrom(String(last.nextOffset), last.metadata, (reason) => assert.fail(reason))
          : { committed: undefined, done: new Set<bigint>() };
        const second = await drive(messages, position, s.choices, 10_000, limits);

        const committed = [...first.commits, ...second.commits].flatMap((c) =>
          c.outputs.flatMap((o) => o.results.map((r) => Number(String(r.value)))),
        );
        assert.deepEqual(
          [...committed].sort((a, b) => a - b),
          messages.map((m) => Number(m.offset)),
          'every record committed exactly once',
        );
        const final = second.commits.at(-1) ?? last;
        assert.equal(final?.nextOffset, BigInt(messages.at(-1)?.offset ?? 0) + 1n);
        assert.equal(final?.metadata, null);
        for (const run of [first, second]) {
          for (const [key, finished] of run.finishedByKey) {
            assert.deepEqual(
              finished,
              [...finished].sort((a, b) => a - b),
              `order of ${key}`,
            );
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('with audit chaining, the chain continues across the crash: one record per sequence, every span signed', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const sealedType = avro.Type.forSchema({
      type: 'record',
      name: 'A',
      fields: ['offset', 'chain', 'chainSeq', 'prevHash', 'recordHash'].map((name) => ({
        name,
        type: name === 'chainSeq' ? 'long' : 'string',
      })),
    });
    await fc.assert(
      fc.asyncProperty(scenario, fc.integer({ min: 1, max: 6 }), async (s, every) => {
        const messages = s.keys.map((key, i) => message(5 + i, `k${key}`));
        const limits = {
          maxInFlightPerPartition: s.maxInFlightPerPartition,
          maxRecordsPerCommit: s.maxRecordsPerCommit,
        };
        const auditChain = {
          name: 't/0',
          policy: { every, intervalMs: 1e12, signer: { keyId: 'k', privateKey } },
        };
        const empty = { committed: undefined, done: new Set<bigint>() };
        const first = await drive(messages, empty, s.choices, s.crashAfter, limits, auditChain);
        const last = first.commits.at(-1);
        const position = last
          ? positionFrom(String(last.nextOffset), last.metadata, (reason) => assert.fail(reason))
          : empty;
        const second = await drive(messages, position, s.choices, 10_000, limits, auditChain);

        const commits = [...first.commits, ...second.commits];
        const records = commits
          .flatMap((c) => c.outputs.flatMap((o) => o.audit.map((m) => m.value as Buffer)))
          .map((value, offset) => {
            const r = sealedType.fromBuffer(value.subarray(5)) as {
              offset: string;
              chain: string;
              chainSeq: number;
              prevHash: string;
              recordHash: string;
            };
            const hashed = hashedBytes(value, 5, r.recordHash);
            return { ...r, processedAt: 0, partition: 0, offset: String(offset), hashed };
          });
        const checkpoints = commits
          .flatMap((c) => c.checkpoints)
          .map((m, offset) => ({
            ...(JSON.parse(String(m.value)) as Checkpoint),
            partition: 0,
            offset: String(offset),
          }));
        const report = verifyChains(records, checkpoints, new Map([['k', publicKey]]));
        assert.deepEqual(report.divergences, []);
        assert.equal(report.chains[0]?.records ?? 0, messages.length);
        assert.ok((report.chains[0]?.unanchored ?? 0) < every);
        const final = commits.at(-1);
        const decoded = decodeCommitMetadata(final?.nextOffset ?? 0n, final?.metadata);
        assert.ok(decoded.ok);
        assert.equal(decoded.done.size, 0);
        assert.equal(decoded.chain.head.seq, messages.length - 1);
      }),
      { numRuns: 150 },
    );
  });
});
