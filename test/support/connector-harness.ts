/**
 * Runs the real connector in-process against the real stack with topics and
 * a consumer group of its own, so integration tests never share state.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { pino } from 'pino';
import { validateConfig } from '../../src/config/load-config.ts';
import type { ConnectorConfig } from '../../src/config/schema.ts';
import { createConnector, type Connector, type ConnectorDeps } from '../../src/connector.ts';
import { createMetrics, type ConnectorMetrics } from '../../src/observability/metrics.ts';
import { Registry } from 'prom-client';
import { ownTopics, stackConnectorConfig, type OwnTopics } from '../../devkit/stack-connector-config.ts';
import { grantConnectorAcls, securedKafka, type KafkaSecurityMode } from '../../devkit/secured-kafka.ts';
import type { AclPlan } from '../../src/kafka/required-acls.ts';
import type { TestStack } from './stack-env.ts';
import { createTopics } from '../../src/kafka/create-topics.ts';
import { testLogDestination } from './test-log.ts';
import { writtenTopics } from '../../src/config/written-topics.ts';

export interface Harness {
  id: string;
  kafka: Kafka;
  admin: Admin;
  config: ConnectorConfig;
  input: string;
  topics: ConnectorConfig['kafka']['topics'];
  startConnector(
    overrides?: Partial<ConnectorConfig>,
    deps?: Pick<ConnectorDeps, 'secretFiles'>,
  ): Promise<{ connector: Connector; metrics: ConnectorMetrics }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** The connector connects over SASL_SSL (SCRAM) or mutual TLS, with only the ACLs docs/security.md lists. */
  kafkaSecurity?: KafkaSecurityMode;
}

export async function createHarness(
  stack: TestStack,
  partitions = 3,
  options: HarnessOptions = {},
): Promise<Harness> {
  const id = randomUUID().slice(0, 8);
  const input = `it-${id}.events`;
  const topics: OwnTopics = ownTopics(`it-${id}`);
  const kafka = new Kafka({ clientId: `it-${id}`, brokers: [stack.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  // A half-built harness must not keep a connection open for the suite to wait on.
  await createTopics(admin, [{ topic: input, numPartitions: partitions }]).catch(async (error: unknown) => {
    await admin.disconnect().catch(() => undefined);
    throw error;
  });
  const secured = options.kafkaSecurity ? securedKafka(stack.secure, options.kafkaSecurity) : undefined;
  const config = validateConfig(
    stackConnectorConfig(
      {
        endpoints: { bootstrap: stack.bootstrap, registry: stack.registryUrl, sim: stack.simUrl },
        groupId: `it-${id}`,
        input,
        topics,
        clientSecret: 'sim-secret',
      },
      {
        cxone: {
          requestTimeoutMs: 5000,
          // The simulator has no limit unless told to; the tests measure the pipeline, not the limiter.
          rateLimit: { requestsPerSecond: 5000, burst: 200 },
          retry: { maxAttempts: 5, initialDelayMs: 50, maxDelayMs: 500, multiplier: 2, maxElapsedMs: 10_000 },
        },
        ...(secured ? { kafka: secured.kafka } : {}),
      },
    ),
  );
  const running: Connector[] = [];
  return {
    id,
    kafka,
    admin,
    config,
    input,
    topics,
    async startConnector(overrides = {}, deps = {}) {
      const metrics = createMetrics(new Registry(), false);
      const logger = pino({ level: 'info' }, testLogDestination);
      const effective = { ...config, ...overrides };
      // What the ACL list of docs/security.md grants for this config's names, and nothing more.
      if (secured) await grantConnectorAcls(admin, secured.principal, aclPlanOf(effective));
      const connector = createConnector(effective, { logger, metrics, version: 'test', ...deps });
      running.push(connector);
      await connector.start();
      return { connector, metrics };
    },
    async close() {
      await Promise.all(running.map((c) => c.stop()));
      // Only those that exist: kafkajs retries an unknown topic for seconds before giving up.
      const existing = new Set(await admin.listTopics());
      const ours = [input, ...Object.values(topics)].filter((t) => existing.has(t));
      await admin.deleteTopics({ topics: ours }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}

function aclPlanOf(config: ConnectorConfig): AclPlan {
  const { kafka } = config;
  return {
    groupId: kafka.groupId,
    transactionalIdPrefix: kafka.transactionalIdPrefix ?? kafka.groupId,
    inputTopics: kafka.inputTopics,
    outputTopics: writtenTopics(kafka.topics),
    dedupTopic: kafka.topics.dedup,
    createTopics: true,
  };
}
