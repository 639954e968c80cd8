/**
 * Builds the records written for one processed input record: the result (for
 * the CDP), the audit record (for data teams), and the DLQ record (original
 * bytes and headers naming what went wrong). Pure functions.
 */
import { hash } from 'node:crypto';
import type { ConnectorError } from '../errors.ts';
import type { CallOutcome, Outcome } from '../cxone/call-outcome.ts';
import type { PiiHasher } from '../mapping/pii-hasher.ts';

export interface SourceRef {
  topic: string;
  partition: number;
  offset: string;
}

export interface ResultRecord {
  idempotencyKey: string;
  eventId: string;
  route: string;
  actionType: 'JOURNEY_TRIGGER' | 'DATA_ACTION';
  targetId: string;
  contactId: string | null;
  outcome: Outcome;
  httpStatus: number | null;
  cxoneReference: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: number;
  /** Epoch millis (Avro timestamp-millis). */
  processedAt: number;
  /** A data action's outputs as JSON text; null for journey triggers. */
  outputsJson: string | null;
}

/** An audit record's outcome: a CXone outcome, or UNROUTED for an event skipped by `processing.unrouted: skip`. */
export type AuditOutcome = Outcome | 'UNROUTED';

/**
 * The audit schema's last four fields (v4), in this order: the record is encoded without them, and
 * the partition's owner appends them at commit (audit/audit-chain.ts), when its place is known.
 */
export const AUDIT_CHAIN_FIELDS = ['chain', 'chainSeq', 'prevHash', 'recordHash'] as const;

export interface AuditRecord {
  idempotencyKey: string;
  eventId: string;
  eventType: string | null;
  route: string;
  /** NONE for an UNROUTED record. */
  actionType: 'JOURNEY_TRIGGER' | 'DATA_ACTION' | 'NONE';
  targetId: string;
  contactId: string | null;
  outcome: AuditOutcome;
  httpStatus: number | null;
  attempts: number;
  latencyMs: number;
  payloadSha256: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: number;
  eventTimestamp: number | null;
  processedAt: number;
  connectorVersion: string;
  instanceId: string;
  /** Registry id of the schema the input event was written with. */
  sourceSchemaId: number | null;
  /** The Idempotency-Key sent to CXone, when it is not idempotencyKey (a fresh attempt after REJECTED/FAILED). */
  cxoneIdempotencyKey: string | null;
  /** The dead letter a replayed record came from, `<dlq topic>/<partition>/<offset>`. */
  replayOf: string | null;
}

export interface DedupEntryRecord {
  idempotencyKey: string;
  outcome: Outcome;
  createdAt: number;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: number;
  /** 0 for the key's first effect; n for its n-th fresh attempt after REJECTED or FAILED. */
  attempt: number;
}

export interface EffectDescription {
  idempotencyKey: string;
  /** The key CXone saw: idempotencyKey, or `<idempotencyKey>~<n>` for a fresh attempt. */
  cxoneIdempotencyKey: string;
  eventId: string;
  eventType: string | null;
  route: string;
  actionType: 'JOURNEY_TRIGGER' | 'DATA_ACTION';
  targetId: string;
  contactId: string | null;
  serializedBody: string | null;
  eventTimestamp: number | null;
}

export interface RecordContext {
  source: SourceRef;
  processedAt: number;
  connectorVersion: string;
  instanceId: string;
  /** Registry id of the input event's writer schema, when it was decoded. */
  schemaId?: number;
  /** A record replayed from the DLQ: the dead letter it came from. */
  replayOf?: string;
}

/** Per-deployment choices for building output records. */
export interface BuildOptions {
  /** Applied to the audit record's contact id (`audit.hashPii`); identity when absent. */
  pii?: PiiHasher;
  /** A data action's outputs; written to the result as JSON. */
  outputs?: unknown;
}

function sha256Hex(text: string): string {
  // The one-shot form: no Hash object per audit record.
  return hash('sha256', text, 'hex');
}

/** What a result and an audit record of the same effect both say. */
function sharedFields(effect: EffectDescription, outcome: CallOutcome, ctx: RecordContext) {
  return {
    idempotencyKey: effect.idempotencyKey,
    eventId: effect.eventId,
    route: effect.route,
    actionType: effect.actionType,
    targetId: effect.targetId,
    outcome: outcome.outcome,
    httpStatus: outcome.httpStatus ?? null,
    errorCode: outcome.error?.code ?? null,
    errorMessage: outcome.error?.message ?? outcome.detail ?? null,
    sourceTopic: ctx.source.topic,
    sourcePartition: ctx.source.partition,
    sourceOffset: Number(ctx.source.offset),
    processedAt: ctx.processedAt,
  };
}

export function buildResult(
  effect: EffectDescription,
  outcome: CallOutcome,
  ctx: RecordContext,
  options: BuildOptions = {},
): ResultRecord {
  return {
    ...sharedFields(effect, outcome, ctx),
    // The id in clear: the results go back to the CDP, which owns it.
    contactId: effect.contactId,
    cxoneReference: outcome.reference ?? null,
    outputsJson: options.outputs === undefined ? null : outputsJson(options.outputs),
  };
}

export function buildAudit(
  effect: EffectDescription,
  outcome: CallOutcome,
  ctx: RecordContext,
  options: BuildOptions = {},
): AuditRecord {
  return {
    ...sharedFields(effect, outcome, ctx),
    contactId: protect(effect.contactId, options),
    eventType: effect.eventType,
    attempts: outcome.attempts,
    latencyMs: Math.round(outcome.latencyMs),
    payloadSha256: effect.serializedBody === null ? null : sha256Hex(effect.serializedBody),
    eventTimestamp: effect.eventTimestamp,
    connectorVersion: ctx.connectorVersion,
    instanceId: ctx.instanceId,
    sourceSchemaId: ctx.schemaId ?? null,
    cxoneIdempotencyKey:
      effect.cxoneIdempotencyKey === effect.idempotencyKey ? null : effect.cxoneIdempotencyKey,
    replayOf: ctx.replayOf ?? null,
  };
}

/**
 * The audit record of an event no route matched, under `processing.unrouted: skip`.
 * Keyed like an effect (`unrouted:<eventId>`, or the source position when the
 * event has no id) so "what happened to event X" has an answer for it too.
 */
export function buildUnroutedAudit(
  event: { eventId: string | null; eventType: string | null },
  ctx: RecordContext,
): AuditRecord {
  const position = `${ctx.source.topic}-${ctx.source.partition}@${ctx.source.offset}`;
  return {
    idempotencyKey: `unrouted:${event.eventId ?? position}`,
    eventId: event.eventId ?? position,
    eventType: event.eventType,
    route: '',
    actionType: 'NONE',
    targetId: '',
    contactId: null,
    outcome: 'UNROUTED',
    httpStatus: null,
    attempts: 0,
    latencyMs: 0,
    payloadSha256: null,
    errorCode: null,
    errorMessage: 'no route matches this event (processing.unrouted: skip)',
    sourceTopic: ctx.source.topic,
    sourcePartition: ctx.source.partition,
    sourceOffset: Number(ctx.source.offset),
    eventTimestamp: null,
    processedAt: ctx.processedAt,
    connectorVersion: ctx.connectorVersion,
    instanceId: ctx.instanceId,
    sourceSchemaId: ctx.schemaId ?? null,
    cxoneIdempotencyKey: null,
    replayOf: ctx.replayOf ?? null,
  };
}

function protect(contactId: string | null, options: BuildOptions): string | null {
  return options.pii === undefined ? contactId : options.pii(contactId);
}

function outputsJson(outputs: unknown): string | null {
  try {
    return JSON.stringify(outputs) ?? null;
  } catch {
    // Outputs came from CXone as JSON, so this only guards against a client bug.
    return null;
  }
}

/** DLQ header names: stable, documented in docs/exactly-once.md "Dead letters". */
export const DLQ_HEADERS = {
  stage: 'cxone.error.stage',
  code: 'cxone.error.code',
  message: 'cxone.error.message',
  topic: 'cxone.source.topic',
  partition: 'cxone.source.partition',
  offset: 'cxone.source.offset',
  route: 'cxone.route',
  failedAt: 'cxone.failed.at',
  /** Set when the original value was too big for the DLQ topic: its size; the value stays in the input. */
  valueOmitted: 'cxone.value.omitted',
  valueSha256: 'cxone.value.sha256',
} as const;

/** Headers `cxone-connector dlq replay` sets on a record it re-publishes to its input topic. */
export const REPLAY_HEADERS = {
  /** The dead letter it came from: `<dlq topic>/<partition>/<offset>`. */
  of: 'cxone.replay.of',
  /** The error code it was dead-lettered with. */
  code: 'cxone.replay.code',
} as const;

export interface DlqRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string | Buffer>;
}

export function buildDlqRecord(
  original: { key: Buffer | null; value: Buffer | null; headers?: Record<string, unknown> },
  error: ConnectorError,
  source: SourceRef,
  failedAt: Date,
  route?: string,
): DlqRecord {
  const headers: Record<string, string | Buffer> = {};
  // Keep the producer's own headers so a replay from the DLQ is faithful.
  for (const [name, value] of Object.entries(original.headers ?? {})) {
    if (typeof value === 'string' || Buffer.isBuffer(value)) headers[name] = value;
  }
  headers[DLQ_HEADERS.stage] = error.stage;
  headers[DLQ_HEADERS.code] = error.code;
  headers[DLQ_HEADERS.message] = error.message.slice(0, 1000);
  headers[DLQ_HEADERS.topic] = source.topic;
  headers[DLQ_HEADERS.partition] = String(source.partition);
  headers[DLQ_HEADERS.offset] = source.offset;
  headers[DLQ_HEADERS.failedAt] = failedAt.toISOString();
  if (route !== undefined) headers[DLQ_HEADERS.route] = route;
  return { key: original.key, value: original.value, headers };
}
