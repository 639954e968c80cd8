/**
 * One input record through the whole flow: decode → route → map → CXone call →
 * the output messages (results, audit, DLQ) that record produces. Permanent
 * failures become DLQ messages here; a retryable failure is thrown so the
 * caller leaves the record uncommitted and replays it.
 */
import type { Logger } from 'pino';
import type { JourneyRouteConfig } from '../config/schema.ts';
import type { JourneyTriggerClient } from '../cxone/journey-trigger-client.ts';
import type { EventDecoder } from '../decode/event-decoder.ts';
import { ConnectorError, MappingError } from '../errors.ts';
import { mapJourneyTrigger, type JourneyTriggerRequest } from '../mapping/journey-trigger-mapper.ts';
import type { ConnectorMetrics } from '../observability/metrics.ts';
import type { OutputEncoder } from '../output/output-schemas.ts';
import {
  buildAudit,
  buildDlqRecord,
  buildResult,
  type AuditRecord,
  type EffectDescription,
  type RecordContext,
  type ResultRecord,
  type SourceRef,
} from '../output/output-records.ts';
import { matchRoutes } from './route-matcher.ts';

export interface InputRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, unknown>;
}

export interface OutputMessage {
  key: Buffer | string | null;
  value: Buffer | null;
  headers?: Record<string, string | Buffer>;
}

export interface RecordOutputs {
  results: OutputMessage[];
  audit: OutputMessage[];
  dlq: OutputMessage[];
}

export interface RecordProcessorDeps {
  decoder: EventDecoder;
  journeys: JourneyTriggerClient;
  routes: readonly JourneyRouteConfig[];
  encoders: { result: OutputEncoder<ResultRecord>; audit: OutputEncoder<AuditRecord> };
  metrics: ConnectorMetrics;
  logger: Logger;
  maxPayloadBytes: number;
  connectorVersion: string;
  instanceId: string;
  now: () => number;
}

export type RecordProcessor = (record: InputRecord, signal?: AbortSignal) => Promise<RecordOutputs>;

export function createRecordProcessor(deps: RecordProcessorDeps): RecordProcessor {
  const mapOptions = { maxPayloadBytes: deps.maxPayloadBytes };

  return async function processRecord(record, signal) {
    const source: SourceRef = { topic: record.topic, partition: record.partition, offset: record.offset };
    const outputs: RecordOutputs = { results: [], audit: [], dlq: [] };
    const deadLetter = (error: ConnectorError, route?: string): void => {
      deps.metrics.errors.inc({ stage: error.stage, code: error.code });
      deps.logger.warn(
        { topic: source.topic, partition: source.partition, offset: source.offset, code: error.code, route },
        `dead-lettered: ${error.message}`,
      );
      const dlq = buildDlqRecord(record, error, source, new Date(deps.now()), route);
      outputs.dlq.push(dlq);
    };

    let event: unknown;
    try {
      event = (await deps.decoder.decode(record.value)).value;
    } catch (error) {
      if (error instanceof ConnectorError && !error.retryable) {
        deadLetter(error);
        return outputs;
      }
      throw error;
    }

    const routes = matchRoutes(event, deps.routes);
    if (routes.length === 0) {
      deadLetter(new MappingError('NO_ROUTE', 'no route matches this event; add a route or filter it upstream'));
      return outputs;
    }

    for (const route of routes) {
      let request: JourneyTriggerRequest;
      try {
        request = mapJourneyTrigger(event, route, mapOptions);
      } catch (error) {
        if (error instanceof ConnectorError) {
          deadLetter(error, route.name);
          continue;
        }
        throw error;
      }
      const started = deps.now();
      const outcome = await deps.journeys.trigger(request, signal);
      deps.metrics.recordSeconds.observe({ route: route.name }, (deps.now() - started) / 1000);
      deps.metrics.outcomes.inc({ route: route.name, outcome: outcome.outcome });

      const ctx: RecordContext = {
        source,
        processedAt: deps.now(),
        connectorVersion: deps.connectorVersion,
        instanceId: deps.instanceId,
      };
      const effect = describeEffect(request, event);
      outputs.results.push({
        key: request.idempotencyKey,
        value: deps.encoders.result.encode(buildResult(effect, outcome, ctx)),
      });
      outputs.audit.push({
        key: request.idempotencyKey,
        value: deps.encoders.audit.encode(buildAudit(effect, outcome, ctx)),
      });
      // A request CXone refused for good is also dead-lettered, so it can be fixed and replayed.
      if (outcome.outcome === 'REJECTED' && outcome.error) deadLetter(outcome.error, route.name);
    }
    return outputs;
  };
}

function describeEffect(request: JourneyTriggerRequest, event: unknown): EffectDescription {
  const timestamp = Date.parse(request.body.timestamp);
  return {
    idempotencyKey: request.idempotencyKey,
    eventId: request.eventId,
    eventType: request.body.event,
    route: request.route,
    actionType: 'JOURNEY_TRIGGER',
    targetId: request.journeyId,
    contactId: request.contactId,
    serializedBody: request.serializedBody,
    eventTimestamp: Number.isNaN(timestamp) || event === undefined ? null : timestamp,
  };
}
