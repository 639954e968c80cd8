/**
 * Handles one fetched batch of one partition: runs its records key-ordered and
 * concurrently, commits the longest fully-done prefix together with its
 * outputs, and when a record failed retryably (CXone or the registry is down)
 * rewinds the partition to that record and pauses it for a while, so an outage
 * pauses consumption instead of failing records. Nothing after the failed
 * record is committed: those records are replayed, and CXone absorbs the
 * repeated calls by their Idempotency-Key.
 */
import type { EachBatchPayload } from 'kafkajs';
import type { Logger } from 'pino';
import { ConnectorError, describeError } from '../errors.ts';
import type { BatchCommitter } from '../output/batch-committer.ts';
import type { InputRecord, RecordOutputs, RecordProcessor } from '../pipeline/record-processor.ts';
import type { ConnectorMetrics } from '../observability/metrics.ts';
import { donePrefixLength, runKeyOrdered } from './key-ordered-runner.ts';

export interface PartitionBatchHandlerDeps {
  processRecord: RecordProcessor;
  committer: BatchCommitter;
  metrics: ConnectorMetrics;
  logger: Logger;
  maxInFlightPerPartition: number;
  /** How long a partition rests after a retryable failure before it is tried again. */
  pauseOnFailureMs: number;
  signal: AbortSignal;
  seek: (topic: string, partition: number, offset: string) => void;
  schedule: (fn: () => void, ms: number) => void;
}

export function createPartitionBatchHandler(deps: PartitionBatchHandlerDeps) {
  return async function handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (!payload.isRunning() || payload.isStale() || batch.messages.length === 0) return;
    const { topic, partition } = batch;
    deps.metrics.recordsConsumed.inc({ topic }, batch.messages.length);

    const records: InputRecord[] = batch.messages.map((m) => ({
      topic,
      partition,
      offset: m.offset,
      key: m.key,
      value: m.value,
      headers: m.headers as Record<string, unknown>,
    }));
    const settled = await runKeyOrdered(
      records,
      // Records without a key carry no order to keep: each is its own key.
      (r) => (r.key === null ? `\u0000offset:${r.offset}` : r.key.toString('latin1')),
      deps.maxInFlightPerPartition,
      (r) => deps.processRecord(r, deps.signal),
    );
    const done = donePrefixLength(settled);
    if (done > 0) {
      const outputs = settled.slice(0, done).map((s) => (s.status === 'done' ? s.value : emptyOutputs()));
      const last = records[done - 1] as InputRecord;
      await deps.committer.commit(topic, partition, outputs, (BigInt(last.offset) + 1n).toString());
      payload.resolveOffset(last.offset);
      deps.metrics.batchesCommitted.inc({ topic });
    }
    if (done < records.length) {
      const failed = settled[done];
      const error = failed?.status === 'failed' ? failed.error : undefined;
      const first = records[done] as InputRecord;
      if (deps.signal.aborted) return;
      const code = error instanceof ConnectorError ? error.code : 'UNEXPECTED';
      deps.logger.warn(
        { topic, partition, offset: first.offset, code, pauseMs: deps.pauseOnFailureMs },
        `partition paused after a retryable failure; will replay from this offset: ${describeError(error)}`,
      );
      if (!(error instanceof ConnectorError)) deps.logger.error({ err: error }, 'unexpected error while processing');
      const resume = payload.pause();
      deps.seek(topic, partition, first.offset);
      deps.schedule(resume, deps.pauseOnFailureMs);
    }
    await payload.heartbeat();
  };
}

function emptyOutputs(): RecordOutputs {
  return { results: [], audit: [], dlq: [] };
}
