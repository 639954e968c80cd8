/**
 * One input record through the whole flow, as stages (stages/): decode →
 * route (match, map) → guard (in flight, dedup, age) → call (through the
 * route's block) → record the outcome (results, audit, dedup, DLQ). Each stage
 * returns its value or the record fault that ends the record
 * (stages/stage-result.ts); what a record fault does is one function
 * (stages/record-fault.ts): a DLQ message, or with onRecordFault: hold, a
 * thrown RECORD_HELD that holds the partition. A transient fault is thrown so
 * the caller parks the record and tries it again; a configuration fault
 * blocks its route (route-blocks.ts) and is thrown too, so nothing is
 * dead-lettered or committed until it is fixed.
 */
import type { Logger } from 'pino';
import type { InputRecord, RecordOutputs, RecordProcessor } from '../contracts/records.ts';
import { emptyOutputs } from '../contracts/records.ts';
import type { JourneyTriggerClient } from '../cxone/journey-trigger-client.ts';
import type { DataActionClient } from '../cxone/data-action-client.ts';
import type { EventDecoder } from '../decode/event-decoder.ts';
import type { CompiledRoutes, CompiledRoute } from '../mapping/compile-routes.ts';
import { mapRoute, type RouteRequest } from '../mapping/map-route.ts';
import { matchRoutes } from '../mapping/match-routes.ts';
import type { PiiHasher } from '../mapping/pii-hasher.ts';
import { decideUnrouted } from '../mapping/unrouted-policy.ts';
import { readPath } from '../mapping/field-path.ts';
import type { ConnectorMetrics } from '../observability/metrics.ts';
import type { OutputEncoder } from '../output/output-schemas.ts';
import {
  buildUnroutedAudit,
  REPLAY_HEADERS,
  type AuditRecord,
  type DedupEntryRecord,
  type RecordContext,
  type ResultRecord,
  type SourceRef,
} from '../output/output-records.ts';
import type { DedupStore } from '../dedup/dedup-store.ts';
import type { DedupEntry } from '../contracts/records.ts';
import type { InFlightKeys } from './in-flight-keys.ts';
import type { CallOutcome } from '../cxone/call-outcome.ts';
import { cxoneKey, withCxoneKey } from '../mapping/cxone-key.ts';
import { createOutputFitting, type OutputLimits } from './output-fitting.ts';
import type { RouteBlocks } from './route-blocks.ts';
import { callCxone } from './stages/call-cxone.ts';
import { guard } from './stages/guard.ts';
import { handleRecordFault, type FaultPlace, type RecordFaultPolicy } from './stages/record-fault.ts';
import { recordOutcome, rememberCall } from './stages/record-outcome.ts';
import { runStage } from './stages/stage-result.ts';

export type { RecordFaultPolicy } from './stages/record-fault.ts';

export interface RecordProcessorDeps {
  decoder: EventDecoder;
  journeys: Pick<JourneyTriggerClient, 'trigger'>;
  dataActions: Pick<DataActionClient, 'invoke'>;
  routes: CompiledRoutes;
  pii: PiiHasher;
  encoders: {
    result: OutputEncoder<ResultRecord>;
    audit: OutputEncoder<AuditRecord>;
    dedup: OutputEncoder<DedupEntryRecord>;
  };
  dedup: Pick<DedupStore, 'get'>;
  /** Shared by every partition of this instance: one record at a time per idempotency key. */
  inFlight: InFlightKeys;
  routeBlocks: RouteBlocks;
  onRecordFault: RecordFaultPolicy;
  /** Events older than this (by their own timestamp, else the Kafka timestamp) are EXPIRED, not sent. */
  maxEventAgeMs: number | undefined;
  /** How long a held record waits before it is tried again (a changed CXone or route may let it through). */
  holdRetryMs: number;
  /** max.message.bytes of the output topics; a record over it is trimmed (output-fitting.ts). */
  outputLimits?: OutputLimits;
  /** Test-only crash points (the chaos run); absent in production. */
  faultPoint?: (name: string) => void;
  metrics: ConnectorMetrics;
  logger: Logger;
  maxPayloadBytes: number;
  connectorVersion: string;
  instanceId: string;
  now: () => number;
}

/** One record's state while it goes through the stages. */
interface Run {
  record: InputRecord;
  source: SourceRef;
  outputs: RecordOutputs;
  context: () => RecordContext;
  signal: AbortSignal | undefined;
}

export function createRecordProcessor(deps: RecordProcessorDeps): RecordProcessor {
  const mapOptions = { maxPayloadBytes: deps.maxPayloadBytes };
  const fitting = createOutputFitting(deps.outputLimits ?? {}, {
    encoder: deps.encoders.result,
    metrics: deps.metrics,
    logger: deps.logger,
  });
  // Once, not per record: the stages' deps are these with the fitting.
  const stageDeps = { ...deps, fitting };
  const fault = (
    record: InputRecord,
    outputs: RecordOutputs,
    error: Parameters<typeof handleRecordFault>[3],
    place: FaultPlace,
  ) => handleRecordFault(stageDeps, record, outputs, error, place);

  return async function processRecord(record, signal) {
    const source: SourceRef = { topic: record.topic, partition: record.partition, offset: record.offset };
    const outputs = emptyOutputs();
    const decoded = await runStage(() => deps.decoder.decode(record.value, record.topic));
    if (decoded.kind === 'fault') {
      fault(record, outputs, decoded.error, { eventId: null, idempotencyKey: null });
      return outputs;
    }
    const { value: event, schemaId } = decoded.value;
    const replayOf = headerText(record.headers?.[REPLAY_HEADERS.of]);
    const context = (): RecordContext => ({
      source,
      processedAt: deps.now(),
      connectorVersion: deps.connectorVersion,
      instanceId: deps.instanceId,
      schemaId,
      ...(replayOf === undefined ? {} : { replayOf }),
    });
    const unknownEffect = { eventId: eventIdOf(event), idempotencyKey: null };

    const matched = await runStage(() => matchRoutes(event, deps.routes));
    if (matched.kind === 'fault') {
      fault(record, outputs, matched.error, unknownEffect);
      return outputs;
    }
    if (matched.value.length === 0) {
      const decision = decideUnrouted(event, deps.routes.unrouted);
      if (decision.action === 'dlq') {
        fault(record, outputs, decision.error, unknownEffect);
      } else {
        const audit = buildUnroutedAudit(
          { eventId: decision.eventId, eventType: decision.eventType },
          context(),
        );
        outputs.audit.push({ key: audit.idempotencyKey, value: deps.encoders.audit.encode(audit) });
      }
      return outputs;
    }
    const run: Run = { record, source, outputs, context, signal };
    for (const route of matched.value) {
      const mapped = await runStage(() => mapRoute(event, route, mapOptions));
      if (mapped.kind === 'fault') {
        fault(record, outputs, mapped.error, { ...unknownEffect, route: route.name });
        continue;
      }
      await effect(run, route, mapped.value);
    }
    return outputs;
  };

  /** One route's request: guarded, called, its outcome recorded. */
  async function effect(run: Run, route: CompiledRoute, request: RouteRequest): Promise<void> {
    const { record, source, outputs } = run;
    const started = deps.now();
    const key = request.idempotencyKey;
    const held = await deps.inFlight.hold(key);
    let decided: DedupEntry | undefined;
    let sent: RouteRequest;
    let outcome: CallOutcome;
    try {
      const decision = guard({
        seen: deps.dedup.get(source, key) ?? held.prior,
        ageMs: deps.maxEventAgeMs === undefined ? undefined : started - eventTimeMs(request, record),
        maxEventAgeMs: deps.maxEventAgeMs,
      });
      sent = withCxoneKey(request, cxoneKey(key, decision.attempt));
      if (decision.kind === 'call') {
        outcome = await callCxone(deps, route.name, sent, run.signal);
        const at = { source, decidedAt: deps.now() };
        decided = rememberCall(outputs, deps.encoders.dedup, at, key, outcome, decision.attempt);
      } else outcome = decision.outcome;
    } finally {
      held.settle(decided);
    }
    deps.metrics.recordSeconds.observe({ route: route.name }, (deps.now() - started) / 1000);
    deps.metrics.outcomes.inc({ route: route.name, outcome: outcome.outcome });
    logOutcome(source, route.name, request, outcome);
    const refused = recordOutcome(stageDeps, outputs, {
      request,
      sent,
      outcome,
      context: run.context(),
    });
    // An effect CXone refused or failed for good is also dead-lettered, so it can be fixed and replayed.
    if (refused)
      fault(record, outputs, refused, { route: route.name, eventId: request.eventId, idempotencyKey: key });
  }

  /** One line per outcome is too many at info; at debug (SIGUSR2 or PUT /loglevel) each one shows. */
  function logOutcome(source: SourceRef, route: string, request: RouteRequest, outcome: CallOutcome): void {
    if (!deps.logger.isLevelEnabled('debug')) return;
    deps.logger.debug(
      {
        topic: source.topic,
        partition: source.partition,
        offset: source.offset,
        route,
        eventId: request.eventId,
        idempotencyKey: request.idempotencyKey,
        outcome: outcome.outcome,
        attempts: outcome.attempts,
        latencyMs: outcome.latencyMs,
      },
      `outcome ${outcome.outcome}`,
    );
  }
}

/** The conventional `eventId` field, for log lines before a route has mapped the event's own. */
function eventIdOf(event: unknown): string | null {
  const value = readPath(event, 'eventId');
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return Buffer.isBuffer(value) ? value.toString('utf8') : undefined;
}

/** The route's own event timestamp where it maps one (journey triggers), else the Kafka timestamp. */
function eventTimeMs(request: RouteRequest, record: InputRecord): number {
  if (request.kind === 'journey-trigger') {
    const parsed = Date.parse(request.body.timestamp);
    if (!Number.isNaN(parsed)) return parsed;
  }
  return record.timestampMs ?? Number.NaN;
}
