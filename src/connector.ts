/**
 * The connector: builds every stage from the validated config and the
 * dependencies passed in, and owns the lifecycle
 * starting → running → draining → stopped (or failed).
 */
import { randomUUID } from 'node:crypto';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, type Admin, type Consumer } from 'kafkajs';
import type { Logger } from 'pino';
import type { ConnectorConfig } from './config/schema.ts';
import { createAuthorizedSend } from './cxone/authorized-http.ts';
import { createCxoneHttp, type CxoneHttp } from './cxone/http-client.ts';
import { createJourneyTriggerClient } from './cxone/journey-trigger-client.ts';
import { createDataActionClient } from './cxone/data-action-client.ts';
import { createRateLimiter } from './cxone/rate-limiter.ts';
import { createCircuitBreaker, type CircuitBreaker } from './cxone/circuit-breaker.ts';
import { compileRoutes } from './mapping/compile-routes.ts';
import { createPiiHasher } from './mapping/pii-hasher.ts';
import { loadReaderSchemas } from './decode/reader-schema.ts';
import { createTokenProvider } from './cxone/token-provider.ts';
import { createEventDecoder } from './decode/event-decoder.ts';
import type { ConnectorMetrics } from './observability/metrics.ts';
import { kafkajsLogCreator } from './observability/kafkajs-logger.ts';
import {
  createTransactionalCommitter,
  type TransactionalCommitter,
} from './output/transactional-committer.ts';
import type { AuditRecord, DedupEntryRecord, ResultRecord } from './output/output-records.ts';
import { createDedupStore } from './dedup/dedup-store.ts';
import { createDedupRestorer, type DedupRestorer } from './dedup/dedup-restorer.ts';
import { createPartitionClaims } from './source/partition-claims.ts';
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
  /** Test-only crash points for the chaos run (`after-call`, `during-commit`); absent in production. */
  faultPoint?: (name: string) => void;
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

/** The OAuth scopes the configured routes need, asked for when `cxone.auth.scopes` is not set. */
export function scopesForRoutes(routes: ConnectorConfig['routes']): string[] {
  const scopes = new Set<string>();
  for (const route of routes) {
    if (route.action === 'data-action') scopes.add('data-actions:read').add('data-actions:execute');
    else scopes.add('journeys:trigger').add('contacts:read');
  }
  return [...scopes];
}

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
  let admin: Admin | undefined;
  let committer: TransactionalCommitter | undefined;
  let restorer: DedupRestorer | undefined;
  let http: CxoneHttp | undefined;
  let breaker: CircuitBreaker | undefined;

  const setState = (next: ConnectorState): void => {
    logger.info({ from: state, to: next }, 'connector state');
    state = next;
  };

  async function start(): Promise<void> {
    if (state !== 'idle') throw new Error(`connector cannot start from state ${state}`);
    setState('starting');
    try {
      const { topics } = config.kafka;
      const theAdmin = kafka.admin();
      admin = theAdmin;
      await theAdmin.connect();
      await ensureTopics(theAdmin, {
        inputTopics: config.kafka.inputTopics,
        outputTopics: [topics.results, topics.audit, topics.dlq],
        dedupTopic: topics.dedup,
        dedupRetentionMs: config.dedup.windowMs,
      });
      const subjects = config.output.subjectNameStrategy;
      const [result, audit, dedupEntry] = await Promise.all([
        registerOutputSchema<ResultRecord>(registry, 'cxone-result', topics.results, subjects),
        registerOutputSchema<AuditRecord>(registry, 'cxone-audit', topics.audit, subjects),
        registerOutputSchema<DedupEntryRecord>(registry, 'cxone-dedup-entry', topics.dedup, subjects),
      ]);
      const store = createDedupStore(config.dedup.maxEntries);
      restorer = createDedupRestorer({
        kafka,
        admin: theAdmin,
        topic: topics.dedup,
        store,
        decoder: createEventDecoder(registry),
        logger: logger.child({ component: 'dedup' }),
        timeoutMs: config.dedup.restoreTimeoutMs,
      });
      await restorer.start();
      committer = createTransactionalCommitter({
        kafka,
        groupId: config.kafka.groupId,
        transactionalIdPrefix: config.kafka.transactionalIdPrefix ?? config.kafka.groupId,
        topics,
        transactionTimeoutMs: config.kafka.transactionTimeoutMs,
        logger,
      });
      const claims = createPartitionClaims({
        admin: theAdmin,
        groupId: config.kafka.groupId,
        committer,
        restorer,
        store,
        logger,
        dedupWindowMs: config.dedup.windowMs,
        now,
      });

      // One limiter and one breaker per tenant, shared by every request of this instance.
      breaker = createCircuitBreaker(config.cxone.breaker, { metrics: deps.metrics });
      http = createCxoneHttp({
        baseUrl: config.cxone.baseUrl,
        requestTimeoutMs: config.cxone.requestTimeoutMs,
        connections: config.cxone.connections,
        metrics: deps.metrics,
        now,
        limiter: createRateLimiter(config.cxone.rateLimit, { metrics: deps.metrics }),
        breaker,
      });
      const tokens = createTokenProvider(http, {
        ...config.cxone.auth,
        scopes: config.cxone.auth.scopes ?? scopesForRoutes(config.routes),
        now,
      });
      const send = createAuthorizedSend(http, tokens);
      const journeys = createJourneyTriggerClient(send, {
        paths: config.cxone.paths,
        retry: config.cxone.retry,
        journeyCacheTtlMs: config.cxone.journeyCacheTtlMs,
        contactCacheTtlMs: config.cxone.contactCacheTtlMs,
        now,
      });
      const dataActions = createDataActionClient(send, {
        ...config.cxone.dataActions,
        paths: config.cxone.paths,
        retry: config.cxone.retry,
        now,
      });
      const processRecord = createRecordProcessor({
        decoder: createEventDecoder(registry, {
          readerTypes: loadReaderSchemas(config.decode.readerSchemas),
          maxValueBytes: config.decode.maxValueBytes,
        }),
        journeys,
        dataActions,
        routes: compileRoutes(config),
        pii: createPiiHasher(config.audit),
        encoders: { result, audit, dedup: dedupEntry },
        dedup: store,
        ...(deps.faultPoint ? { faultPoint: deps.faultPoint } : {}),
        metrics: deps.metrics,
        logger,
        maxPayloadBytes: config.processing.maxPayloadBytes,
        connectorVersion: deps.version,
        instanceId,
        now,
      });

      const theConsumer = kafka.consumer({
        groupId: config.kafka.groupId,
        sessionTimeout: config.kafka.sessionTimeoutMs,
        heartbeatInterval: config.kafka.heartbeatIntervalMs,
        readUncommitted: false,
      });
      consumer = theConsumer;
      theConsumer.on(theConsumer.events.GROUP_JOIN, (event) => {
        void claims
          .onAssignment(event.payload.memberAssignment)
          .catch((error: unknown) => logger.warn({ err: error }, 'releasing revoked partitions failed'));
      });
      theConsumer.on(theConsumer.events.END_BATCH_PROCESS, () => deps.metrics.dedupEntries.set(store.size()));
      theConsumer.on(theConsumer.events.CRASH, (event) => {
        const { error, restart } = event.payload;
        logger.error({ err: error, restart }, 'Kafka consumer crashed');
        if (!restart && state === 'running') {
          setState('failed');
          finish('failed');
        }
      });
      await theConsumer.connect();
      await theConsumer.subscribe({
        topics: config.kafka.inputTopics,
        fromBeginning: config.kafka.fromBeginning,
      });

      const handleBatch = createPartitionBatchHandler({
        processRecord,
        committer,
        claims,
        heartbeatIntervalMs: config.kafka.heartbeatIntervalMs,
        maxRecordsPerCommit: config.processing.maxRecordsPerCommit,
        ...(deps.faultPoint ? { faultPoint: deps.faultPoint } : {}),
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
      // During a CXone outage every input partition rests; the breaker's half-open probe wakes them.
      const inputs = config.kafka.inputTopics.map((topic) => ({ topic }));
      breaker.onStateChange((breakerState) => {
        logger.warn({ breaker: breakerState }, 'CXone circuit breaker changed state');
        if (breakerState === 'open') theConsumer.pause(inputs);
        else theConsumer.resume(inputs);
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
    await committer?.close();
    await restorer
      ?.stop()
      .catch((error: unknown) => logger.warn({ err: error }, 'dedup restorer stop failed'));
    await admin?.disconnect().catch(() => undefined);
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
