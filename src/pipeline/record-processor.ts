/**
 * One input record through the whole flow: decode → route → map → CXone call →
 * the output messages (results, audit, DLQ) that record produces. What a
 * failure does follows its class (errors.ts `failureClass`): a record fault
 * becomes a DLQ message here (or, with onRecordFault: hold, is thrown and
 * holds the partition); a transient fault is thrown so the caller parks the
 * record and tries it again; a configuration fault blocks its route
 * (route-blocks.ts) and is thrown too, so nothing is dead-lettered or
 * committed until it is fixed.
 */
import type { Logger } from 'pino';
import type { InputRecord, RecordProcessor } from '../contracts/records.ts';
import { emptyOutputs } from '../contracts/records.ts';
import type { JourneyTriggerClient } from '../cxone/journey-trigger-client.ts';
import type { DataActionClient } from '../cxone/data-action-client.ts';
import type { EventDecoder } from '../decode/event-decoder.ts';
import { ConnectorError, failureClass } from '../errors.ts';
import type { CompiledRoutes } from '../mapping/compile-routes.ts';
import { mapRoute, type RouteRequest } from '../mapping/map-route.ts';
import { matchRoutes } from '../mapping/match-routes.ts';
import type { PiiHasher } from '../mapping/pii-hasher.ts';
import { decideUnrouted } from '../mapping/unrouted-policy.ts';
import { readPath } from '../mapping/field-path.ts';
import type { ConnectorMetrics } from '../observability/metrics.ts';
import type { OutputEncoder } from '../output/output-schemas.ts';
import {
  buildAudit,
  buildDlqRecord,
  buildUnroutedAudit,
  REPLAY_HEADERS,
  type AuditRecord,
  type DedupEntryRecord,
  type EffectDescription,
  type RecordContext,
  type ResultRecord,
  type SourceRef,
} from '../output/output-records.ts';
import type { DedupStore } from '../dedup/dedup-store.ts';
import { dedupRecordKey } from '../contracts/dedup-key.ts';
import type { DedupEntry } from '../contracts/records.ts';
import type { InFlightKeys } from './in-flight-keys.ts';
import type { CallOutcome } from '../cxone/call-outcome.ts';
import { cxoneKey, withCxoneKey } from '../mapping/cxone-key.ts';
import { createOutputFitting, type OutputLimits } from './output-fitting.ts';
import type { RouteBlocks } from './route-blocks.ts';

/** Stored outcomes that had no effect in CXone: a later copy of the event is tried afresh, not a DUPLICATE. */
const TRIED_AGAIN_AFTER: ReadonlySet<string> = new Set(['REJECTED', 'FAILED']);

/** What a record fault does: `dlq` dead-letters it and moves on; `hold` stops the partition there. */
export type RecordFaultPolicy = 'dlq' | 'hold';

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

export function createRecordProcessor(deps: RecordProcessorDeps): RecordProcessor {
  const mapOptions = { maxPayloadBytes: deps.maxPayloadBytes };

  const fitting = createOutputFitting(deps.outputLimits ?? {}, {
    encoder: deps.encoders.result,
    metrics: deps.metrics,
    logger: deps.logger,
  });

  return async function processRecord(record, signal) {
    const source: SourceRef = { topic: record.topic, partition: record.partition, offset: record.offset };
    const outputs = emptyOutputs();
    let event: unknown;
    // `request`: the route's mapped call, when there is one (its event id and key go in the log line).
    const deadLetter = (error: ConnectorError, route?: string, request?: RouteRequest): void => {
      if (deps.onRecordFault === 'hold') {
        deps.metrics.heldRecords.inc({ code: error.code });
        throw new ConnectorError(
          'RECORD_HELD',
          error.stage,
          `${error.code}: ${error.message} (processing.onRecordFault is hold: the partition stops here; fix the cause, or set it to dlq, and restart)`,
          { cause: error, retryAfterMs: deps.holdRetryMs },
        );
      }
      deps.metrics.deadLetters.inc({ stage: error.stage, code: error.code });
      deps.logger.warn(
        {
          topic: source.topic,
          partition: source.partition,
          offset: source.offset,
          code: error.code,
          route,
          eventId: request?.eventId ?? eventIdOf(event),
          idempotencyKey: request?.idempotencyKey ?? null,
        },
        `dead-lettered: ${error.message}`,
      );
      const dlq = buildDlqRecord(record, error, source, new Date(deps.now()), route);
      outputs.dlq.push(fitting.deadLetter(dlq));
    };

    let schemaId: number;
    try {
      ({ value: event, schemaId } = await deps.decoder.decode(record.value, record.topic));
    } catch (error) {
      if (error instanceof ConnectorError && !error.retryable) {
        deadLetter(error);
        return outputs;
      }
      throw error;
    }
    const replayOf = headerText(record.headers?.[REPLAY_HEADERS.of]);
    const context = (): RecordContext => ({
      source,
      processedAt: deps.now(),
      connectorVersion: deps.connectorVersion,
      instanceId: deps.instanceId,
      schemaId,
      ...(replayOf === undefined ? {} : { replayOf }),
    });

    let routes;
    try {
      routes = await matchRoutes(event, deps.routes);
    } catch (error) {
      if (error instanceof ConnectorError && !error.retryable) {
        deadLetter(error);
        return outputs;
      }
      throw error;
    }
    if (routes.length === 0) {
      const decision = decideUnrouted(event, deps.routes.unrouted);
      if (decision.action === 'dlq') {
        deadLetter(decision.error);
      } else {
        const audit = buildUnroutedAudit(
          { eventId: decision.eventId, eventType: decision.eventType },
          context(),
        );
        outputs.audit.push({ key: audit.idempotencyKey, value: deps.encoders.audit.encode(audit) });
      }
      return outputs;
    }

    for (const route of routes) {
      let request: RouteRequest;
      try {
        request = await mapRoute(event, route, mapOptions);
      } catch (error) {
        if (error instanceof ConnectorError && !error.retryable) {
          deadLetter(error, route.name);
          continue;
        }
        throw error;
      }
      const started = deps.now();
      const key = request.idempotencyKey;
      const held = await deps.inFlight.hold(key);
      let decided: DedupEntry | undefined;
      let sent: RouteRequest;
      let outcome: CallOutcome;
      try {
        const seen = deps.dedup.get(source, key) ?? held.prior;
        // REJECTED and FAILED had no effect in CXone: the event, fixed, may be tried again.
        const done = seen !== undefined && !TRIED_AGAIN_AFTER.has(seen.outcome);
        const attempt = seen === undefined || done ? 0 : (seen.attempt ?? 0) + 1;
        sent = withCxoneKey(request, cxoneKey(key, attempt));
        const ageMs = deps.maxEventAgeMs === undefined ? undefined : started - eventTimeMs(request, record);
        if (done) {
          outcome = {
            outcome: 'DUPLICATE',
            attempts: 0,
            latencyMs: 0,
            detail: `already handled: ${seen.outcome}`,
          };
        } else if (ageMs !== undefined && deps.maxEventAgeMs !== undefined && ageMs > deps.maxEventAgeMs) {
          // No effect and nothing remembered: a repeat of a stale event is just as stale.
          outcome = {
            outcome: 'EXPIRED',
            attempts: 0,
            latencyMs: 0,
            detail: `event is ${Math.round(ageMs / 1000)} s old, over processing.maxEventAgeMs (${deps.maxEventAgeMs} ms)`,
          };
        } else {
          deps.routeBlocks.admit(route.name);
          try {
            outcome =
              sent.kind === 'journey-trigger'
                ? await deps.journeys.trigger(sent, signal)
                : await deps.dataActions.invoke(sent, signal);
          } catch (error) {
            if (error instanceof ConnectorError && failureClass(error) === 'config') {
              throw deps.routeBlocks.fail(route.name, error);
            }
            throw error;
          }
          deps.routeBlocks.succeed(route.name);
          if (outcome.outcome === 'ACCEPTED') deps.faultPoint?.('after-call');
          const decidedAt = deps.now();
          decided = { createdAtMs: decidedAt, outcome: outcome.outcome, attempt };
          outputs.remember.push({ key, entry: decided });
          outputs.dedup.push({
            key: dedupRecordKey(source.topic, key),
            value: deps.encoders.dedup.encode({
              idempotencyKey: key,
              outcome: outcome.outcome,
              createdAt: decidedAt,
              sourceTopic: source.topic,
              sourcePartition: source.partition,
              sourceOffset: Number(source.offset),
              attempt,
            }),
          });
        }
      } finally {
        held.settle(decided);
      }
      deps.metrics.recordSeconds.observe({ route: route.name }, (deps.now() - started) / 1000);
      deps.metrics.outcomes.inc({ route: route.name, outcome: outcome.outcome });
      // One line per outcome is too many at info; at debug (SIGUSR2 or PUT /loglevel) each one shows.
      if (deps.logger.isLevelEnabled('debug')) {
        deps.logger.debug(
          {
            topic: source.topic,
            partition: source.partition,
            offset: source.offset,
            route: route.name,
            eventId: request.eventId,
            idempotencyKey: key,
            outcome: outcome.outcome,
            attempts: outcome.attempts,
            latencyMs: outcome.latencyMs,
          },
          `outcome ${outcome.outcome}`,
        );
      }

      const ctx = context();
      const effect = describeEffect(key, sent, outcome);
      const build = outcome.outputs === undefined ? {} : { outputs: outcome.outputs };
      outputs.results.push(fitting.result(request.idempotencyKey, effect, outcome, ctx, build));
      outputs.audit.push({
        key: request.idempotencyKey,
        value: deps.encoders.audit.encode(buildAudit(effect, outcome, ctx, { pii: deps.pii })),
      });
      // An effect CXone refused or failed for good is also dead-lettered, so it can be fixed and replayed.
      if ((outcome.outcome === 'REJECTED' || outcome.outcome === 'FAILED') && outcome.error) {
        deadLetter(outcome.error, route.name, request);
      }
    }
    return outputs;
  };
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
