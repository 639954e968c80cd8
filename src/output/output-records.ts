/**
 * Builds the records written for one processed input record: the result (for
 * the CDP), the audit record (for data teams), and the DLQ record (original
 * bytes and headers naming what went wrong). Pure functions.
 */
import { createHash } from 'node:crypto';
import type { ConnectorError } from '../errors.ts';
import type { CallOutcome, Outcome } from '../cxone/call-outcome.ts';

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
}

export interface AuditRecord {
  idempotencyKey: string;
  eventId: string;
  eventType: string | null;
  route: string;
  actionType: 'JOURNEY_TRIGGER' | 'DATA_ACTION';
  targetId: string;
  contactId: string | null;
  outcome: Outcome;
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
}

export interface EffectDescription {
  idempotencyKey: string;
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
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function buildResult(effect: EffectDescription, outcome: CallOutcome, ctx: RecordContext): ResultRecord {
  return {
    idempotencyKey: effect.idempotencyKey,
    eventId: effect.eventId,
    route: effect.route,
    actionType: effect.actionType,
    targetId: effect.targetId,
    contactId: effect.contactId,
    outcome: outcome.outcome,
    httpStatus: outcome.httpStatus ?? null,
    cxoneReference: outcome.reference ?? null,
    errorCode: outcome.error?.code ?? null,
    errorMessage: outcome.error?.message ?? outcome.detail ?? null,
    sourceTopic: ctx.source.topic,
    sourcePartition: ctx.source.partition,
    sourceOffset: Number(ctx.source.offset),
    processedAt: ctx.processedAt,
  };
}

export function buildAudit(effect: EffectDescription, outcome: CallOutcome, ctx: RecordContext): AuditRecord {
  return {
    idempotencyKey: effect.idempotencyKey,
    eventId: effect.eventId,
    eventType: effect.eventType,
    route: effect.route,
    actionType: effect.actionType,
    targetId: effect.targetId,
    contactId: effect.contactId,
    outcome: outcome.outcome,
    httpStatus: outcome.httpStatus ?? null,
    attempts: outcome.attempts,
    latencyMs: Math.round(outcome.latencyMs),
    payloadSha256: effect.serializedBody === null ? null : sha256Hex(effect.serializedBody),
    errorCode: outcome.error?.code ?? null,
    errorMessage: outcome.error?.message ?? outcome.detail ?? null,
    sourceTopic: ctx.source.topic,
    sourcePartition: ctx.source.partition,
    sourceOffset: Number(ctx.source.offset),
    eventTimestamp: effect.eventTimestamp,
    processedAt: ctx.processedAt,
    connectorVersion: ctx.connectorVersion,
    instanceId: ctx.instanceId,
  };
}

/** DLQ header names: stable, documented in the README. */
export const DLQ_HEADERS = {
  stage: 'cxone.error.stage',
  code: 'cxone.error.code',
  message: 'cxone.error.message',
  topic: 'cxone.source.topic',
  partition: 'cxone.source.partition',
  offset: 'cxone.source.offset',
  route: 'cxone.route',
  failedAt: 'cxone.failed.at',
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
