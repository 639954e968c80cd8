/**
 * What a record fault does (processing.onRecordFault): `dlq` writes the record to the DLQ with the
 * fault's code and the partition moves on; `hold` throws RECORD_HELD instead, so the partition stops
 * at it until the cause is fixed or the policy changed.
 */
import type { InputRecord, RecordOutputs } from '../../contracts/records.ts';
import { ConnectorError } from '../../errors.ts';
import type { ConnectorMetrics } from '../../observability/metrics.ts';
import { buildDlqRecord } from '../../output/output-records.ts';
import type { Logger } from 'pino';
import type { OutputFitting } from '../output-fitting.ts';

/** What a record fault does: `dlq` dead-letters it and moves on; `hold` stops the partition there. */
export type RecordFaultPolicy = 'dlq' | 'hold';

export interface RecordFaultDeps {
  onRecordFault: RecordFaultPolicy;
  /** How long a held record waits before it is tried again (a changed CXone or route may let it through). */
  holdRetryMs: number;
  fitting: OutputFitting;
  metrics: ConnectorMetrics;
  logger: Logger;
  now: () => number;
}

/** Where the fault was met, for its log line: the route and the effect's ids once they are known. */
export interface FaultPlace {
  route?: string | undefined;
  eventId: string | null;
  idempotencyKey: string | null;
}

export function handleRecordFault(
  deps: RecordFaultDeps,
  record: InputRecord,
  outputs: RecordOutputs,
  error: ConnectorError,
  place: FaultPlace,
): void {
  if (deps.onRecordFault === 'hold') {
    deps.metrics.heldRecords.inc({ code: error.code });
    throw new ConnectorError(
      'RECORD_HELD',
      error.stage,
      `${error.code}: ${error.message} (processing.onRecordFault is hold: the partition stops here; fix the cause, or set it to dlq, and restart)`,
      { cause: error, retryAfterMs: deps.holdRetryMs },
    );
  }
  const source = { topic: record.topic, partition: record.partition, offset: record.offset };
  deps.metrics.deadLetters.inc({ stage: error.stage, code: error.code });
  deps.logger.warn(
    {
      ...source,
      code: error.code,
      route: place.route,
      eventId: place.eventId,
      idempotencyKey: place.idempotencyKey,
    },
    `dead-lettered: ${error.message}`,
  );
  const dlq = buildDlqRecord(record, error, source, new Date(deps.now()), place.route);
  outputs.dlq.push(deps.fitting.deadLetter(dlq));
}
