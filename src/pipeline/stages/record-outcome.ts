/**
 * The record-outcome stage: what a decided effect writes to the outputs. A call's outcome is
 * remembered (the store's entry, once committed, and its dedup topic record); every outcome gets a
 * result and an audit record; and an effect CXone refused or failed for good is also returned as a
 * dead letter to write, so it can be fixed and replayed.
 */
import { dedupRecordKey } from '../../contracts/dedup-key.ts';
import type { DedupEntry, RecordOutputs } from '../../contracts/records.ts';
import type { CallOutcome } from '../../cxone/call-outcome.ts';
import type { ConnectorError } from '../../errors.ts';
import type { RouteRequest } from '../../mapping/map-route.ts';
import type { PiiHasher } from '../../mapping/pii-hasher.ts';
import type { OutputEncoder } from '../../output/output-schemas.ts';
import {
  buildAudit,
  type AuditRecord,
  type DedupEntryRecord,
  type EffectDescription,
  type RecordContext,
  type SourceRef,
} from '../../output/output-records.ts';
import type { OutputFitting } from '../output-fitting.ts';

export interface OutcomeDeps {
  encoders: { audit: OutputEncoder<AuditRecord>; dedup: OutputEncoder<DedupEntryRecord> };
  fitting: OutputFitting;
  pii: PiiHasher;
}

/** A call's outcome, remembered under `key` as attempt `attempt`: the entry the store takes once it is decided. */
export function rememberCall(
  outputs: RecordOutputs,
  encoder: OutputEncoder<DedupEntryRecord>,
  at: { source: SourceRef; decidedAt: number },
  key: string,
  outcome: CallOutcome,
  attempt: number,
): DedupEntry {
  const { source, decidedAt } = at;
  const decided: DedupEntry = { createdAtMs: decidedAt, outcome: outcome.outcome, attempt };
  outputs.remember.push({ key, entry: decided });
  outputs.dedup.push({
    key: dedupRecordKey(source.topic, key),
    value: encoder.encode({
      idempotencyKey: key,
      outcome: outcome.outcome,
      createdAt: decidedAt,
      sourceTopic: source.topic,
      sourcePartition: source.partition,
      sourceOffset: Number(source.offset),
      attempt,
    }),
  });
  return decided;
}

/** The result and audit record of `outcome`; the error to dead-letter when CXone refused it for good. */
export function recordOutcome(
  deps: OutcomeDeps,
  outputs: RecordOutputs,
  effect: { request: RouteRequest; sent: RouteRequest; outcome: CallOutcome; context: RecordContext },
): ConnectorError | undefined {
  const { request, sent, outcome, context } = effect;
  const described = describeEffect(request.idempotencyKey, sent, outcome);
  const build = outcome.outputs === undefined ? {} : { outputs: outcome.outputs };
  outputs.results.push(deps.fitting.result(request.idempotencyKey, described, outcome, context, build));
  outputs.audit.push({
    key: request.idempotencyKey,
    value: deps.encoders.audit.encode(buildAudit(described, outcome, context, { pii: deps.pii })),
  });
  const refused = outcome.outcome === 'REJECTED' || outcome.outcome === 'FAILED';
  return refused ? outcome.error : undefined;
}

/** `request` as it was sent (under its CXone key); `key` is the effect's idempotency key. */
function describeEffect(key: string, request: RouteRequest, outcome: CallOutcome): EffectDescription {
  if (request.kind === 'data-action') {
    return {
      idempotencyKey: key,
      cxoneIdempotencyKey: request.idempotencyKey,
      eventId: request.eventId,
      eventType: null,
      route: request.route,
      actionType: 'DATA_ACTION',
      targetId: request.actionId,
      contactId: request.contactId,
      serializedBody: outcome.sentBody ?? null,
      eventTimestamp: null,
    };
  }
  const timestamp = Date.parse(request.body.timestamp);
  return {
    idempotencyKey: key,
    cxoneIdempotencyKey: request.idempotencyKey,
    eventId: request.eventId,
    eventType: request.body.event,
    route: request.route,
    actionType: 'JOURNEY_TRIGGER',
    targetId: request.journeyId,
    contactId: request.contactId,
    serializedBody: request.serializedBody,
    eventTimestamp: Number.isNaN(timestamp) ? null : timestamp,
  };
}
