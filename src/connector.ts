/**
 * The connector: builds every stage from the validated config and the
 * dependencies passed in, and owns the lifecycle
 * starting → running → draining → stopped (or failed).
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer } from 'kafkajs';
import type { Logger } from 'pino';
import { compileConfig } from './config/compile-config.ts';
import type { ConnectorConfig } from './config/schema.ts';
import { createCxoneClients, type CxoneClients } from './cxone/cxone-clients.ts';
import { createSchemaRegistry, redactUrl } from './output/registry-client.ts';
import { StartupError } from './errors.ts';
import { kafkaErrorType } from './contracts/kafka-access.ts';
import type { ConnectorMetrics } from './observability/metrics.ts';
import { assertKafkaAccess } from './kafka/access-check.ts';
import { explainConnectFailure } from './kafka/connect-failure.ts';
import { createKafkaClient } from './kafka/kafka-client.ts';
import { instanceIdInUse, type TransactionalCommitter } from './output/commit-contents.ts';
import { createGroupCommitter } from './output/group-committer.ts';
import { createTransactionalCommitter } from './output/transactional-committer.ts';
import type { DedupRestorer } from './dedup/dedup-restorer.ts';
import { createDedupState } from './dedup/dedup-state.ts';
import type { CheckpointKeeper } from './dedup/checkpoint-keeper.ts';
import { assembleStandby, type StandbyCheckpoints } from './dedup/standby-checkpoints.ts';
import { assertStateDir } from './dedup/dedup-checkpoint.ts';
import { assertFirstStartChosen } from './source/first-start.ts';
import { createPartitionClaims } from './source/partition-claims.ts';
import { buildRecordProcessor } from './pipeline/build-record-processor.ts';
import { createRouteBlocks, type RouteBlock } from './pipeline/route-blocks.ts';
import { createPartitionSupervisor, type PartitionSupervisor } from './source/partition-supervisor.ts';
import { createInputConsumer, runInputConsumer } from './source/input-consumer.ts';
import { createTimerSet } from './source/timer-set.ts';
import { assignmentShare } from './source/assignment-share.ts';
import { createLagSampler } from './source/lag-sampler.ts';
import { ensureTopics } from './source/topic-setup.ts';
import { writtenTopics } from './config/written-topics.ts';

export type ConnectorState = 'idle' | 'starting' | 'running' | 'draining' | 'stopped' | 'failed';

export interface ConnectorDeps {
  logger: Logger;
  metrics: ConnectorMetrics;
  now?: () => number;
  version: string;
  /** This process's name when `kafka.instanceId` is unset (the logs carry the same one). */
  instanceId?: string;
  /** Settings that came from `${file:}` secrets (loadConfig), read again at use. */
  secretFiles?: Readonly<Record<string, string>>;
  /** Test-only crash points for the chaos run (`after-call`, `during-commit`); absent in production. */
  faultPoint?: (name: string) => void;
}

/** What /healthz and /status say: `degraded` while any route waits on a configuration fault. */
export interface ConnectorHealth {
  state: ConnectorState;
  status: 'ok' | 'degraded' | 'down';
  blockedRoutes: RouteBlock[];
}

export interface Connector {
  state(): ConnectorState;
  health(): ConnectorHealth;
  start(): Promise<void>;
  /** Drains in-flight batches, commits what is done, then closes everything. Idempotent. */
  stop(): Promise<void>;
  /** Resolves when the connector stops or fails on its own. */
  readonly finished: Promise<ConnectorState>;
}

export function createConnector(config: ConnectorConfig, deps: ConnectorDeps): Connector {
  const options = compileConfig(config, deps.secretFiles);
  const logger = deps.logger;
  const now = deps.now ?? Date.now;
  const stableInstanceId = options.committer.instanceId !== undefined;
  const instanceId = options.committer.instanceId ?? deps.instanceId ?? randomUUID();
  let state: ConnectorState = 'idle';
  const timers = createTimerSet();
  let finish: (s: ConnectorState) => void = () => undefined;
  const finished = new Promise<ConnectorState>((resolve) => (finish = resolve));
  const routeBlocks = createRouteBlocks(options.routeBlocks, { now, logger, metrics: deps.metrics });

  const kafka = createKafkaClient(options.kafka, logger, (mechanism) =>
    deps.metrics.kafkaTokenFailures.inc({ mechanism }),
  );
  const registry = createSchemaRegistry(options.registry);
  let consumer: Consumer | undefined;
  let admin: Admin | undefined;
  let committer: TransactionalCommitter | undefined;
  let restorer: DedupRestorer | undefined;
  let checkpoints: CheckpointKeeper | undefined;
  let standby: StandbyCheckpoints | undefined;
  let cxone: CxoneClients | undefined;
  let supervisor: PartitionSupervisor | undefined;

  const setState = (next: ConnectorState): void => {
    logger.info({ from: state, to: next }, 'connector state');
    state = next;
  };

  async function start(): Promise<void> {
    if (state !== 'idle') throw new Error(`connector cannot start from state ${state}`);
    setState('starting');
    try {
      const { topics, committer: commitSettings, dedup } = options;
      const { stateDir } = dedup;
      if (stateDir === undefined) {
        logger.info(
          'dedup.stateDir is unset: no local dedup checkpoints, every partition claim restores from the dedup topic',
        );
      } else {
        await step(`checking dedup.stateDir (${stateDir})`, 'fix dedup.stateDir or its volume', () =>
          assertStateDir(stateDir),
        );
      }
      const theAdmin = kafka.admin();
      admin = theAdmin;
      await step(
        `connecting to kafka.brokers (${options.kafka.brokers.join(', ')})`,
        "check that the brokers are up and reachable from here on that port, and that the listener's security (TLS, SASL) matches the kafka settings",
        async () => {
          try {
            await theAdmin.connect();
            // kafkajs connects lazily: ask once so that authentication happens here.
            await theAdmin.describeCluster();
          } catch (error) {
            throw explainConnectFailure(error, options.kafka) ?? error;
          }
        },
      );
      const shape = await step(
        'checking the topics (kafka.inputTopics, kafka.topics)',
        'fix the topics or the settings named above',
        () =>
          ensureTopics(theAdmin, {
            inputTopics: options.consumer.inputTopics,
            outputTopics: writtenTopics(topics),
            dedupTopic: topics.dedup,
            dedupWindowMs: dedup.windowMs,
          }),
      );
      await step(
        "checking the ACLs of the connector's Kafka principal",
        'grant what is missing (docs/security.md "Kafka ACLs"), or fix kafka.groupId / kafka.transactionalIdPrefix',
        () =>
          assertKafkaAccess(kafka, {
            groupId: commitSettings.groupId,
            transactionalIdPrefix: commitSettings.transactionalIdPrefix,
            inputTopics: options.consumer.inputTopics,
            writeTopics: [...writtenTopics(topics), topics.dedup],
            restore: { topic: topics.dedup, groupId: `${commitSettings.groupId}.dedup-restore-check` },
          }),
      );
      // Outside step(): it is a configuration fault with its own message, not a failed connection.
      await assertFirstStartChosen(theAdmin, {
        groupId: commitSettings.groupId,
        inputTopics: options.consumer.inputTopics,
        chosen: options.start.chosen,
      });
      const dedupState = createDedupState({
        kafka,
        admin: theAdmin,
        registry,
        dedupTopic: topics.dedup,
        groupId: commitSettings.groupId,
        inputTopics: options.consumer.inputTopics.length,
        settings: dedup,
        logger: logger.child({ component: 'dedup' }),
        now,
        onRestoreRead: (records) => deps.metrics.dedupRestoreReads.inc(records),
        ...(deps.faultPoint ? { faultPoint: deps.faultPoint } : {}),
      });
      const { store } = dedupState;
      ({ checkpoints, restorer } = dedupState);
      deps.metrics.dedupMaxEntries.set(dedup.maxEntries);
      deps.metrics.buildInfo.set({ version: deps.version, node: process.version }, 1);
      const theRestorer = restorer;
      await step(
        `reading the dedup topic (kafka.topics.dedup: ${topics.dedup})`,
        'check that the connector may read it',
        () => theRestorer.start(),
      );
      const shared = {
        kafka,
        groupId: commitSettings.groupId,
        topics,
        transactionTimeoutMs: commitSettings.transactionTimeoutMs,
        ...(commitSettings.partitioning === 'input'
          ? {
              outputPartitions: {
                results: shape.outputPartitions[topics.results] ?? 1,
                audit: shape.outputPartitions[topics.audit] ?? 1,
                dlq: shape.outputPartitions[topics.dlq] ?? 1,
              },
            }
          : {}),
        maxMessageBytes: shape.maxMessageBytes,
        onAbort: (reason: string) => deps.metrics.transactionAborts.inc({ reason }),
        onTransaction: (partitions: number, records: number) => {
          deps.metrics.transactionPartitions.observe(partitions);
          deps.metrics.transactionRecords.observe(records);
        },
        logger,
      };
      const theCommitter =
        commitSettings.fencing === 'group'
          ? createGroupCommitter({
              ...shared,
              transactionalId: `${commitSettings.transactionalIdPrefix}-${instanceId}`,
              // A random id per start is never shared; a configured one can be, by mistake.
              ...(stableInstanceId ? { onTakenOver: stopOnTakeOver } : {}),
            })
          : createTransactionalCommitter({
              ...shared,
              transactionalIdPrefix: commitSettings.transactionalIdPrefix,
            });
      committer = theCommitter;
      const claims = createPartitionClaims({
        admin: theAdmin,
        groupId: commitSettings.groupId,
        dedupTopic: topics.dedup,
        committer: theCommitter,
        restorer,
        logger,
        startFromMs: options.start.startFromMs,
        stableOffsets: commitSettings.fencing === 'group',
        metrics: deps.metrics,
        now,
      });
      const clients = createCxoneClients(options.cxone, { metrics: deps.metrics, now });
      // Nothing of the group's rate limit is this instance's until the group assigns it partitions.
      clients.setRateShare(0);
      cxone = clients;
      const processRecord = await step(
        `${options.processor.autoRegisterSchemas ? 'registering' : 'looking up'} the output schemas at registry.url (${redactUrl(options.registry.url)})`,
        'check that the registry is up and reachable at that URL (Apicurio serves the Confluent API under /apis/ccompat/v7), registry.username/password or registry.bearerToken, and registry.ssl.ca for a private CA',
        () =>
          buildRecordProcessor(options.processor, {
            registry,
            registryEndpoint: options.registry,
            clients,
            dedup: store,
            routeBlocks,
            outputLimits: {
              results: shape.maxMessageBytes[topics.results],
              audit: shape.maxMessageBytes[topics.audit],
              dlq: shape.maxMessageBytes[topics.dlq],
            },
            metrics: deps.metrics,
            logger,
            version: deps.version,
            instanceId,
            now,
            ...(deps.faultPoint ? { faultPoint: deps.faultPoint } : {}),
          }),
      );

      const theConsumer = createInputConsumer(kafka, options.consumer);
      consumer = theConsumer;
      const theSupervisor = createPartitionSupervisor({
        claim: (topic, partition, signal) => claims.claim(topic, partition, signal),
        auditChain: options.auditChain,
        commit: (topic, partition, commit, generationId) =>
          theCommitter.commit(
            {
              topic,
              partition,
              outputs: commit.outputs,
              checkpoints: commit.checkpoints,
              nextOffset: commit.nextOffset.toString(),
              offsetMetadata: commit.metadata,
              generationId,
            },
            deps.faultPoint,
          ),
        onAssignment: async (assignment) => {
          currentAssignment = assignment;
          await shareRateLimit(assignment);
          await claims.onAssignment(assignment);
        },
        processRecord,
        dedup: store,
        dedupCheckpoints: checkpoints,
        consumer: theConsumer,
        limits: options.limits,
        metrics: deps.metrics,
        logger,
        now,
        schedule: timers.schedule,
      });
      supervisor = theSupervisor;
      theConsumer.on(theConsumer.events.END_BATCH_PROCESS, () => deps.metrics.dedupEntries.set(store.size()));
      theConsumer.on(theConsumer.events.GROUP_JOIN, () => deps.metrics.rebalances.inc());
      theConsumer.on(theConsumer.events.CRASH, (event) => {
        const { error, restart } = event.payload;
        // A static member whose instance id a newer process joined under: the same name twice.
        if (kafkaErrorType(error) === 'FENCED_INSTANCE_ID' && state === 'running') {
          stopOnTakeOver(
            instanceIdInUse(
              `joined the consumer group as ${options.consumer.groupInstanceId ?? 'this member'}`,
              error,
            ),
          );
          return;
        }
        logger.error({ err: error, restart }, 'Kafka consumer crashed');
        if (!restart && state === 'running') {
          setState('failed');
          finish('failed');
        }
      });
      // During a CXone outage every input partition rests; the breaker's half-open probe wakes them.
      clients.breaker.onStateChange((breakerState) => {
        logger.warn({ breaker: breakerState }, 'CXone circuit breaker changed state');
        theSupervisor.pauses.setAll('breaker', breakerState === 'open');
      });
      await step(
        `joining the consumer group kafka.groupId (${options.consumer.groupId})`,
        'check that the connector may use that group and read kafka.inputTopics',
        () =>
          runInputConsumer(theConsumer, options.consumer, theSupervisor, (membership) =>
            theCommitter.setMembership?.(membership),
          ),
      );
      startLagSampling(theAdmin, theSupervisor);
      if (stateDir !== undefined && dedup.standbyIntervalMs !== undefined) {
        standby = assembleStandby({
          kafka,
          admin: theAdmin,
          registry,
          dedupTopic: topics.dedup,
          groupId: commitSettings.groupId,
          inputTopics: options.consumer.inputTopics,
          settings: { ...dedup, stateDir, standbyIntervalMs: dedup.standbyIntervalMs },
          owned: (topic, partition) => currentAssignment[topic]?.includes(partition) ?? false,
          logger: logger.child({ component: 'dedup-standby' }),
          now,
          schedule: timers.schedule,
        });
      }
      setState('running');
      // After running: its consumer's group join must not hold readiness up, and a standby that
      // cannot start only costs a slower takeover.
      void standby
        ?.start()
        .catch((error: unknown) =>
          logger.warn(
            { err: error },
            'standby dedup checkpoints did not start; a takeover restores more of the dedup topic',
          ),
        );
    } catch (error) {
      setState('failed');
      await closeAll();
      finish('failed');
      throw error;
    }
  }

  function stopOnTakeOver(error: Error): void {
    if (state !== 'running') return;
    logger.error({ err: error }, 'stopping: this instance name is in use by another live process');
    setState('failed');
    finish('failed');
  }

  let currentAssignment: Record<string, number[]> = {};
  function startLagSampling(theAdmin: Admin, theSupervisor: PartitionSupervisor): void {
    const sampler = createLagSampler({
      admin: theAdmin,
      groupId: options.consumer.groupId,
      assigned: () => currentAssignment,
      oldestPendingMs: (topic, partition) => theSupervisor.oldestPendingMs(topic, partition),
      metrics: deps.metrics,
      logger,
      now,
    });
    const tick = (): void => {
      if (state !== 'running') return;
      sampler
        .sample()
        .catch((error: unknown) => logger.debug({ err: error }, 'consumer lag sample failed'))
        .finally(() => {
          if (state === 'running') timers.schedule(tick, options.lagSampleMs);
        });
    };
    timers.schedule(tick, Math.min(1000, options.lagSampleMs));
  }

  let partitionsPerTopic: Record<string, number> = {};
  /** cxone.rateLimit is the tenant's limit for the whole group: this instance takes its fraction. */
  async function shareRateLimit(assignment: Record<string, number[]>): Promise<void> {
    try {
      const metadata = await admin?.fetchTopicMetadata({ topics: [...options.consumer.inputTopics] });
      if (metadata)
        partitionsPerTopic = Object.fromEntries(metadata.topics.map((t) => [t.name, t.partitions.length]));
    } catch (error) {
      // The counts of the last generation are as good as any: partitions are rarely added.
      logger.warn(
        { err: error },
        'could not read the input partition counts; the rate share uses the last ones',
      );
    }
    const { assigned, total, share } = assignmentShare(assignment, partitionsPerTopic);
    cxone?.setRateShare(share);
    deps.metrics.assignedPartitions.set(assigned);
    logger.info(
      { assigned, total, share, requestsPerSecond: options.cxone.rateLimit.requestsPerSecond * share },
      'share of the group-wide CXone rate limit',
    );
  }

  async function step<T>(what: string, fix: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new StartupError(what, fix, error);
    }
  }

  let closing: Promise<void> | undefined;
  /** Once: a failed start closes everything, and a later stop() must not close it again. */
  async function closeAll(): Promise<void> {
    closing ??= closeOnce();
    return closing;
  }

  async function closeOnce(): Promise<void> {
    await standby?.stop().catch((error: unknown) => logger.warn({ err: error }, 'standby stop failed'));
    // Stop fetching and let in-flight records finish and commit while the group still holds our partitions.
    await supervisor
      ?.drain(options.drainTimeoutMs)
      .catch((error: unknown) => logger.warn({ err: error }, 'drain failed'));
    supervisor?.retireAll();
    // A checkpoint still being written after a claim: let it land whole.
    await checkpoints?.flush();
    await consumer
      ?.disconnect()
      .catch((error: unknown) => logger.warn({ err: error }, 'consumer disconnect failed'));
    timers.clear();
    await committer?.close();
    await restorer
      ?.stop()
      .catch((error: unknown) => logger.warn({ err: error }, 'dedup restorer stop failed'));
    await admin?.disconnect().catch(() => undefined);
    await cxone?.close();
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

  const health = (): ConnectorHealth => {
    const blockedRoutes = routeBlocks.list();
    const status = state === 'failed' ? 'down' : blockedRoutes.length > 0 ? 'degraded' : 'ok';
    return { state, status, blockedRoutes };
  };

  return { state: () => state, health, start, stop, finished };
}
