/**
 * The connector: builds every stage from the validated config and the
 * dependencies passed in, and owns the lifecycle
 * starting → running → draining → stopped (or failed).
 */
import { randomUUID } from 'node:crypto';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, type Consumer, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { ConnectorConfig } from './config/schema.ts';
import { createAuthorizedSend } from './cxone/authorized-http.ts';
import { createCxoneHttp, type CxoneHttp } from './cxone/http-client.ts';
import { createJourneyTriggerClient } from './cxone/journey-trigger-client.ts';
import { createTokenProvider } from './cxone/token-provider.ts';
import { createEventDecoder } from './decode/event-decoder.ts';
import type { ConnectorMetrics } from './observability/metrics.ts';
import { kafkajsLogCreator } from './observability/kafkajs-logger.ts';
import { createAckThenCommitCommitter } from './output/batch-committer.ts';
import type { AuditRecord, ResultRecord } from './output/output-records.ts';
import { registerOutputSchema } from './output/output-schemas.ts';
import { createRecordProcessor } from './pipeline/record-processor.ts';
import { createPartitionBatchHandler } from './source/partition-batch-handler.ts';
import { ensureTopics } from './source/topic-setup.ts';

export type ConnectorState = 'idle' | 'starting' | 'running' | 'draining' | 'stopped' | 'failed';

export interface ConnectorDeps {
  logger: Logger;
  metrics: ConnectorMetrics;
  now?: () => number;
  version: string;
  instanceId?: string;
}

export interface Connector {
  state(): ConnectorState;
  start(): Promise<void>;
  /** Drains in-flight batches, commits what is done, then closes everything. Idempotent. */
  stop(): Promise<void>;
  /** Resolves when the connector stops or fails on its own. */
  readonly finished: Promise<ConnectorState>;
}

const PAUSE_ON_FAILURE_MS = 5_000;
const DRAIN_TIMEOUT_MS = 30_000;

export function createConnector(config: ConnectorConfig, deps: ConnectorDeps): Connector {
  const logger = deps.logger;
  const now = deps.now ?? Date.now;
  const instanceId = deps.instanceId ?? randomUUID();
  let state: ConnectorState = 'idle';
  const shutdown = new AbortController();
  const timers = new Set<NodeJS.Timeout>();
  let finish: (s: ConnectorState) => void = () => undefined;
  const finished = new Promise<ConnectorState>((resolve) => (finish = resolve));

  const kafka = new Kafka({
    clientId: config.kafka.clientId,
    brokers: config.kafka.brokers,
    connectionTimeout: config.kafka.connectionTimeoutMs,
    logCreator: kafkajsLogCreator(logger),
  });
  const registry = new SchemaRegistry({
    host: config.registry.url,
    ...(config.registry.username !== undefined && config.registry.password !== undefined
      ? { auth: { username: config.registry.username, password: config.registry.password } }
      : {}),
  });
  let consumer: Consumer | undefined;
  let producer: Producer | undefined;
  let http: CxoneHttp | undefined;

  const setState = (next: ConnectorState): void => {
    logger.info({ from: state, to: next }, 'connector state');
    state = next;
  };

  async function start(): Promise<void> {
    if (state !== 'idle') throw new Error(`connector cannot start from state ${state}`);
    setState('starting');
    try {
      const { topics } = config.kafka;
      const admin = kafka.admin();
      await admin.connect();
      try {
        await ensureTopics(admin, config.kafka.inputTopics, [topics.results, topics.audit, topics.dlq]);
      } finally {
        await admin.disconnect();
      }
      const [result, audit] = await Promise.all([
        registerOutputSchema<ResultRecord>(registry, 'cxone-result', topics.results),
        registerOutputSchema<AuditRecord>(registry, 'cxone-audit', topics.audit),
      ]);

      http = createCxoneHttp({
        baseUrl: config.cxone.baseUrl,
        requestTimeoutMs: config.cxone.requestTimeoutMs,
        connections: config.cxone.connections,
        metrics: deps.metrics,
        now,
      });
      const tokens = createTokenProvider(http, { ...config.cxone.auth, now });
      const journeys = createJourneyTriggerClient(createAuthorizedSend(http, tokens), {
        paths: config.cxone.paths,
        retry: config.cxone.retry,
        journeyCacheTtlMs: config.cxone.journeyCacheTtlMs,
        now,
      });
      const processRecord = createRecordProcessor({
        decoder: createEventDecoder(registry),
        journeys,
        routes: config.routes,
        encoders: { result, audit },
        metrics: deps.metrics,
        logger,
        maxPayloadBytes: config.processing.maxPayloadBytes,
        connectorVersion: deps.version,
        instanceId,
        now,
      });

      producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const theConsumer = kafka.consumer({
        groupId: config.kafka.groupId,
        sessionTimeout: config.kafka.sessionTimeoutMs,
        heartbeatInterval: config.kafka.heartbeatIntervalMs,
        readUncommitted: false,
      });
      consumer = theConsumer;
      theConsumer.on(theConsumer.events.CRASH, (event) => {
        const { error, restart } = event.payload;
        logger.error({ err: error, restart }, 'Kafka consumer crashed');
        if (!restart && state === 'running') {
          setState('failed');
          finish('failed');
        }
      });
      await theConsumer.connect();
      await theConsumer.subscribe({ topics: config.kafka.inputTopics, fromBeginning: config.kafka.fromBeginning });

      const handleBatch = createPartitionBatchHandler({
        processRecord,
        committer: createAckThenCommitCommitter(producer, theConsumer, topics),
        metrics: deps.metrics,
        logger,
        maxInFlightPerPartition: config.processing.maxInFlightPerPartition,
        pauseOnFailureMs: PAUSE_ON_FAILURE_MS,
        signal: shutdown.signal,
        seek: (topic, partition, offset) => theConsumer.seek({ topic, partition, offset }),
        schedule: (fn, ms) => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            fn();
          }, ms);
          timers.add(timer);
        },
      });
      await theConsumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 64,
        eachBatch: handleBatch,
      });
      setState('running');
    } catch (error) {
      setState('failed');
      await closeAll();
      finish('failed');
      throw error;
    }
  }

  async function closeAll(): Promise<void> {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    // The consumer first: its disconnect waits for the batch in flight to finish and commit.
    const drain = consumer?.disconnect();
    const abortLater = setTimeout(() => shutdown.abort(), DRAIN_TIMEOUT_MS);
    await drain?.catch((error: unknown) => logger.warn({ err: error }, 'consumer disconnect failed'));
    clearTimeout(abortLater);
    shutdown.abort();
    await producer?.disconnect().catch((error: unknown) => logger.warn({ err: error }, 'producer disconnect failed'));
    await http?.close();
  }

  let stopping: Promise<void> | undefined;
  async function stop(): Promise<void> {
    stopping ??= (async () => {
      if (state === 'stopped' || state === 'idle') return;
      setState('draining');
      await closeAll();
      setState('stopped');
      finish('stopped');
    })();
    return stopping;
  }

  return { state: () => state, start, stop, finished };
}
