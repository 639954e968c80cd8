/**
 * The record processor as the config describes it: output schemas registered
 * (so records are encoded locally), the decoder with its reader schemas, the
 * compiled routes and the PII hasher, around the CXone clients passed in.
 */
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { ConnectorConfig } from '../config/schema.ts';
import type { CxoneClients } from '../cxone/cxone-clients.ts';
import type { DedupStore } from '../dedup/dedup-store.ts';
import { loadReaderSchemas } from '../decode/reader-schema.ts';
import { createEventDecoder } from '../decode/event-decoder.ts';
import { compileRoutes } from '../mapping/compile-routes.ts';
import { createPiiHasher } from '../mapping/pii-hasher.ts';
import type { ConnectorMetrics } from '../observability/metrics.ts';
import type { AuditRecord, DedupEntryRecord, ResultRecord } from '../output/output-records.ts';
import { registerOutputSchema } from '../output/output-schemas.ts';
import type { Logger } from 'pino';
import { createRecordProcessor, type RecordProcessor } from './record-processor.ts';

export interface BuildRecordProcessorDeps {
  registry: SchemaRegistry;
  clients: Pick<CxoneClients, 'journeys' | 'dataActions'>;
  dedup: Pick<DedupStore, 'get'>;
  metrics: ConnectorMetrics;
  logger: Logger;
  version: string;
  instanceId: string;
  now: () => number;
  faultPoint?: (name: string) => void;
}

export async function buildRecordProcessor(
  config: ConnectorConfig,
  deps: BuildRecordProcessorDeps,
): Promise<RecordProcessor> {
  const { topics } = config.kafka;
  const subjects = config.output.subjectNameStrategy;
  const [result, audit, dedup] = await Promise.all([
    registerOutputSchema<ResultRecord>(deps.registry, 'cxone-result', topics.results, subjects),
    registerOutputSchema<AuditRecord>(deps.registry, 'cxone-audit', topics.audit, subjects),
    registerOutputSchema<DedupEntryRecord>(deps.registry, 'cxone-dedup-entry', topics.dedup, subjects),
  ]);
  return createRecordProcessor({
    decoder: createEventDecoder(deps.registry, {
      readerTypes: loadReaderSchemas(config.decode.readerSchemas),
      maxValueBytes: config.decode.maxValueBytes,
    }),
    journeys: deps.clients.journeys,
    dataActions: deps.clients.dataActions,
    routes: compileRoutes(config),
    pii: createPiiHasher(config.audit),
    encoders: { result, audit, dedup },
    dedup: deps.dedup,
    ...(deps.faultPoint ? { faultPoint: deps.faultPoint } : {}),
    metrics: deps.metrics,
    logger: deps.logger,
    maxPayloadBytes: config.processing.maxPayloadBytes,
    connectorVersion: deps.version,
    instanceId: deps.instanceId,
    now: deps.now,
  });
}
