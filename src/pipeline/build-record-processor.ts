/**
 * The record processor as the config describes it: output schemas registered
 * (so records are encoded locally), the decoder with its reader schemas, the
 * compiled routes and the PII hasher, around the CXone clients passed in.
 */
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Logger } from 'pino';
import type { RecordProcessor } from '../contracts/records.ts';
import { describeError, KafkaOutputError } from '../errors.ts';
import type { CxoneClients } from '../cxone/cxone-clients.ts';
import type { DedupStore } from '../dedup/dedup-store.ts';
import { createEventDecoder } from '../decode/event-decoder.ts';
import { loadReaderSchemas } from '../decode/reader-schema.ts';
import { compileRoutes } from '../mapping/compile-routes.ts';
import { createPiiHasher, type PiiSettings } from '../mapping/pii-hasher.ts';
import type { RouteDefinition, UnroutedPolicy } from '../mapping/route-definition.ts';
import type { ConnectorMetrics } from '../observability/metrics.ts';
import {
  AUDIT_CHAIN_FIELDS,
  type AuditRecord,
  type DedupEntryRecord,
  type ResultRecord,
} from '../output/output-records.ts';
import {
  registerOutputSchema,
  type OutputEncoder,
  type SubjectNameStrategy,
} from '../output/output-schemas.ts';
import type { RegistryEndpoint } from '../output/registry-client.ts';
import type { OutputLimits } from './output-fitting.ts';
import { createInFlightKeys } from './in-flight-keys.ts';
import { createRecordProcessor, type RecordFaultPolicy } from './record-processor.ts';
import type { RouteBlocks } from './route-blocks.ts';

/** What the record processor is built from: the routes, decode, output and audit settings. */
export interface RecordProcessorSettings {
  /** Output topics whose schemas are registered (their subjects follow subjectNameStrategy). */
  topics: { results: string; audit: string; dedup: string };
  routes: readonly RouteDefinition[];
  unrouted: UnroutedPolicy;
  maxPayloadBytes: number;
  maxValueBytes: number;
  /** Per input topic, a reader schema file that every writer schema is resolved against. */
  readerSchemas: Readonly<Record<string, string>>;
  subjectNameStrategy: SubjectNameStrategy;
  pii: PiiSettings;
  onRecordFault: RecordFaultPolicy;
  maxEventAgeMs: number | undefined;
  holdRetryMs: number;
  /** false: use the schemas already registered for the output subjects, never register. */
  autoRegisterSchemas: boolean;
}

export interface BuildRecordProcessorDeps {
  registry: SchemaRegistry;
  /** The same registry's HTTP API, for the output subjects' compatibility levels. */
  registryEndpoint: RegistryEndpoint;
  clients: Pick<CxoneClients, 'journeys' | 'dataActions'>;
  dedup: Pick<DedupStore, 'get'>;
  routeBlocks: RouteBlocks;
  outputLimits?: OutputLimits;
  metrics: ConnectorMetrics;
  logger: Logger;
  version: string;
  instanceId: string;
  now: () => number;
  faultPoint?: (name: string) => void;
}

export async function buildRecordProcessor(
  settings: RecordProcessorSettings,
  deps: BuildRecordProcessorDeps,
): Promise<RecordProcessor> {
  const { topics } = settings;
  const subjects = settings.subjectNameStrategy;
  const target = {
    registry: deps.registry,
    endpoint: deps.registryEndpoint,
    autoRegister: settings.autoRegisterSchemas,
    warn: (message: string) => deps.logger.warn(message),
  };
  const settled = await Promise.allSettled([
    registerOutputSchema<ResultRecord>(target, 'cxone-result', topics.results, subjects),
    // The chain fields are appended at commit, in the order the records go into the transaction.
    registerOutputSchema<AuditRecord>(target, 'cxone-audit', topics.audit, subjects, AUDIT_CHAIN_FIELDS),
    registerOutputSchema<DedupEntryRecord>(target, 'cxone-dedup-entry', topics.dedup, subjects),
  ] as const);
  // Every subject's problem at once, so one fix round is enough.
  const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    throw new KafkaOutputError('OUTPUT_ENCODE_FAILED', failures.map(describeError).join('; '), {
      cause: failures[0],
      retryable: failures.some((f) => f instanceof KafkaOutputError && f.retryable),
    });
  }
  const [result, audit, dedup] = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
    OutputEncoder<ResultRecord>,
    OutputEncoder<AuditRecord>,
    OutputEncoder<DedupEntryRecord>,
  ];
  return createRecordProcessor({
    decoder: createEventDecoder(deps.registry, {
      readerTypes: loadReaderSchemas(settings.readerSchemas),
      maxValueBytes: settings.maxValueBytes,
    }),
    journeys: deps.clients.journeys,
    dataActions: deps.clients.dataActions,
    routes: compileRoutes(settings.routes, settings.unrouted),
    pii: createPiiHasher(settings.pii),
    encoders: { result, audit, dedup },
    dedup: deps.dedup,
    inFlight: createInFlightKeys(),
    routeBlocks: deps.routeBlocks,
    ...(deps.outputLimits ? { outputLimits: deps.outputLimits } : {}),
    onRecordFault: settings.onRecordFault,
    maxEventAgeMs: settings.maxEventAgeMs,
    holdRetryMs: settings.holdRetryMs,
    ...(deps.faultPoint ? { faultPoint: deps.faultPoint } : {}),
    metrics: deps.metrics,
    logger: deps.logger,
    maxPayloadBytes: settings.maxPayloadBytes,
    connectorVersion: deps.version,
    instanceId: deps.instanceId,
    now: deps.now,
  });
}
