/**
 * Handles one fetched batch of one partition:
 * 1. makes sure this instance has claimed the partition in the current group
 *    generation (see partition-claims.ts) and skips records already committed;
 * 2. runs the records key-ordered and concurrently;
 * 3. commits the longest fully-done prefix with its outputs and offsets in one
 *    transaction;
 * 4. when a record failed retryably (CXone or the registry down, a failed
 *    commit), rewinds the partition to the first uncommitted record and pauses
 *    it for a while: an outage pauses consumption instead of failing records.
 *    Work done past that point is not committed; it is replayed, and CXone
 *    absorbs the repeated calls by their Idempotency-Key.
 */
import type { EachBatchPayload } from 'kafkajs';
import type { Logger } from 'pino';
import { ConnectorError, describeError } from '../errors.ts';
import type { TransactionalCommitter } from '../output/transactional-committer.ts';
import { emptyOutputs, type InputRecord, type RecordProcessor } from '../pipeline/record-processor.ts';
import type { ConnectorMetrics } from '../observability/metrics.ts';
import { donePrefixLength, runKeyOrdered } from './key-ordered-runner.ts';
import type { PartitionClaims } from './partition-claims.ts';

export interface PartitionBatchHandlerDeps {
  processRecord: RecordProcessor;
  committer: TransactionalCommitter;
  claims: PartitionClaims;
  metrics: ConnectorMetrics;
  logger: Logger;
  maxInFlightPerPartition: number;
  /** How long a partition rests after a retryable failure before it is tried again. */
  pauseOnFailureMs: number;
  heartbeatIntervalMs: number;
  /** Records per transaction: bounds the work a crash throws away and the size of one commit. */
  maxRecordsPerCommit: number;
  signal: AbortSignal;
  seek: (topic: string, partition: number, offset: string) => void;
  schedule: (fn: () => void, ms: number) => void;
  faultPoint?: (name: string) => void;
}

export function createPartitionBatchHandler(deps: PartitionBatchHandlerDeps) {
  return async function handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (!payload.isRunning() || payload.isStale() || batch.messages.length === 0) return;
    const { topic, partition } = batch;
    const log = deps.logger.child({ topic, partition });

    const rewind = (offset: string, reason: string, error?: unknown): void => {
      if (deps.signal.aborted) return;
      const code = error instanceof ConnectorError ? error.code : 'UNEXPECTED';
      log.warn(
        { offset, code, pauseMs: deps.pauseOnFailureMs },
        `partition paused; will replay from offset ${offset}: ${reason}`,
      );
      if (error !== undefined && !(error instanceof ConnectorError))
        log.error({ err: error }, 'unexpected error');
      // What this instance believes about the partition may now be stale: claim it afresh next time.
      deps.claims.invalidate(topic, partition);
      deps.metrics.partitionPauses.inc({ topic });
      const resume = payload.pause();
      try {
        deps.seek(topic, partition, offset);
      } catch (seekError) {
        // Only possible when the partition was just revoked; its next owner starts from the committed offset.
        log.debug({ err: seekError }, 'seek after failure not possible');
      }
      deps.schedule(resume, deps.pauseOnFailureMs);
    };

    let committedOffset: bigint;
    try {
      committedOffset = await deps.claims.ensure(topic, partition, deps.signal);
    } catch (error) {
      rewind(
        batch.messages[0]?.offset ?? batch.firstOffset() ?? '0',
        `cannot claim the partition: ${describeError(error)}`,
        error,
      );
      return;
    }
    // Another owner may have committed past what this fetch started from (a zombie or an earlier owner).
    const messages = batch.messages.filter((m) => BigInt(m.offset) >= committedOffset);
    if (messages.length === 0) {
      payload.resolveOffset(batch.lastOffset());
      return;
    }

    /** Processes one chunk and commits what is done; false when the partition was rewound. */
    const processAndCommit = async (chunk: typeof messages): Promise<boolean> => {
      deps.metrics.recordsConsumed.inc({ topic }, chunk.length);
      const records: InputRecord[] = chunk.map((m) => ({
        topic,
        partition,
        offset: m.offset,
        key: m.key,
        value: m.value,
        headers: m.headers as Record<string, unknown>,
      }));
      // A long chunk (CXone slow or retrying) must not cost us the partition.
      const beat = setInterval(
        () => void payload.heartbeat().catch(() => undefined),
        deps.heartbeatIntervalMs,
      );
      let settled;
      try {
        settled = await runKeyOrdered(
          records,
          // Records without a key carry no order to keep: each is its own key.
          (r) => (r.key === null ? `\u0000offset:${r.offset}` : r.key.toString('latin1')),
          deps.maxInFlightPerPartition,
          (r) => deps.processRecord(r, deps.signal),
        );
      } finally {
        clearInterval(beat);
      }

      const done = donePrefixLength(settled);
      if (done > 0) {
        const outputs = settled.slice(0, done).map((s) => (s.status === 'done' ? s.value : emptyOutputs()));
        const last = records[done - 1] as InputRecord;
        try {
          await deps.committer.commit(
            {
              topic,
              partition,
              outputs,
              tombstones: deps.claims.expiredTombstones(partition),
              nextOffset: (BigInt(last.offset) + 1n).toString(),
            },
            deps.faultPoint,
          );
        } catch (error) {
          rewind((records[0] as InputRecord).offset, describeError(error), error);
          return false;
        }
        deps.claims.committed(topic, partition, BigInt(last.offset) + 1n);
        payload.resolveOffset(last.offset);
        deps.metrics.batchesCommitted.inc({ topic });
      }
      if (done < records.length) {
        const failed = settled[done];
        const error = failed?.status === 'failed' ? failed.error : undefined;
        rewind(
          (records[done] as InputRecord).offset,
          `a record failed retryably: ${describeError(error)}`,
          error,
        );
        return false;
      }
      return true;
    };
    let rebalance: Error | undefined;
    for (let from = 0; from < messages.length; from += deps.maxRecordsPerCommit) {
      if (from > 0) {
        // Between chunks: let a pending rebalance happen now instead of after the whole fetch.
        if (rebalance === undefined)
          await payload.heartbeat().catch((error: unknown) => (rebalance = asError(error)));
        if (rebalance !== undefined || !payload.isRunning() || payload.isStale()) {
          try {
            deps.seek(topic, partition, (messages[from] as (typeof messages)[number]).offset);
          } catch {
            // Shutting down or revoked: the next owner starts from the committed offset anyway.
          }
          // kafkajs rejoins the group when the heartbeat's rebalance error leaves eachBatch.
          if (rebalance !== undefined) throw rebalance;
          return;
        }
      }
      const chunk = messages.slice(from, from + deps.maxRecordsPerCommit);
      if (!(await processAndCommit(chunk))) return;
    }
    if (rebalance !== undefined) throw rebalance;
    await payload.heartbeat();
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
