/**
 * `cxone-connector check`: connects to everything the config names, changes
 * nothing, and reports one line per check with what to fix. Kafka: the brokers
 * and the principal's authentication, the topics, each ACL (probed as the start
 * probes it: an aborted transaction that writes nothing; CREATE with a
 * validate-only request); the registry and the output subjects; CXone: a token
 * and each route's journey or data action.
 */
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { compileConfig, type ConnectorOptions } from './config/compile-config.ts';
import type { ConnectorConfig } from './config/schema.ts';
import { describeNeed, isAuthorizationFailure } from './contracts/kafka-access.ts';
import { createCxoneClients } from './cxone/cxone-clients.ts';
import { describeError } from './errors.ts';
import { probeKafkaAccess } from './kafka/access-check.ts';
import { explainConnectFailure } from './kafka/connect-failure.ts';
import { createKafkaClient } from './kafka/kafka-client.ts';
import { aclCommand } from './kafka/required-acls.ts';
import type { ConnectorMetrics } from './observability/metrics.ts';
import { findRegisteredSchema, type OutputSchemaName } from './output/output-schemas.ts';
import { redactUrl, registryCall } from './output/registry-client.ts';
import { verifyDedupTopic } from './source/topic-setup.ts';
import { writtenTopics } from './config/written-topics.ts';

export interface CheckLine {
  /** `skip`: could not be checked yet and is not a failure (a topic the first start will create). */
  status: 'ok' | 'fail' | 'skip';
  what: string;
  detail: string;
  fix?: string;
}

export interface PreflightDeps {
  logger: Logger;
  metrics: ConnectorMetrics;
  secretFiles?: Readonly<Record<string, string>>;
  /** Each line as soon as it is known. */
  report: (line: CheckLine) => void;
}

/** Runs every check; resolves true when none failed. */
export async function runPreflight(config: ConnectorConfig, deps: PreflightDeps): Promise<boolean> {
  const options = compileConfig(config, deps.secretFiles);
  let failed = false;
  const report = (line: CheckLine): void => {
    if (line.status === 'fail') failed = true;
    deps.report(line);
  };
  await checkKafka(options, deps.logger, report);
  await checkRegistry(options, report);
  await checkCxone(options, deps.metrics, report);
  return !failed;
}

async function checkKafka(
  options: ConnectorOptions,
  logger: Logger,
  report: (line: CheckLine) => void,
): Promise<void> {
  const kafka = createKafkaClient(options.kafka, logger);
  const admin = kafka.admin();
  const brokers = options.kafka.brokers.join(', ');
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    const as = options.kafka.sasl
      ? ` (SASL ${options.kafka.sasl.mechanism}${'username' in options.kafka.sasl ? ` as "${options.kafka.sasl.username}"` : ''})`
      : options.kafka.tls?.cert
        ? ' (mutual TLS)'
        : '';
    report({
      status: 'ok',
      what: `kafka.brokers ${brokers}`,
      detail: `connected and authenticated${as}; ${cluster.brokers.length} broker(s)`,
    });
  } catch (error) {
    const explained = explainConnectFailure(error, options.kafka);
    report({
      status: 'fail',
      what: `kafka.brokers ${brokers}`,
      detail: describeError(explained ?? error),
      fix: explained
        ? 'fix the kafka.ssl / kafka.sasl settings named above'
        : 'check that the brokers are reachable from here and that the listener matches kafka.ssl / kafka.sasl',
    });
    await admin.disconnect().catch(() => undefined);
    return;
  }
  try {
    await checkTopicsAndAcls(kafka, admin, options, report);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function checkTopicsAndAcls(
  kafka: Kafka,
  admin: Admin,
  options: ConnectorOptions,
  report: (line: CheckLine) => void,
): Promise<void> {
  const { topics, committer } = options;
  const listed = new Set(await admin.listTopics());
  let inputPartitions = 0;
  for (const topic of options.consumer.inputTopics) {
    if (!listed.has(topic)) {
      report({
        status: 'fail',
        what: `input topic ${topic}`,
        detail: 'not visible: it does not exist, or the principal lacks READ on it',
        fix: `create it, fix kafka.inputTopics, or grant READ on Topic "${topic}"`,
      });
      continue;
    }
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const count = metadata.topics[0]?.partitions.length ?? 0;
    inputPartitions = Math.max(inputPartitions, count);
    report({ status: 'ok', what: `input topic ${topic}`, detail: `${count} partition(s)` });
  }

  const outputs = writtenTopics(topics);
  const missing = [...outputs, topics.dedup].filter((t) => !listed.has(t));
  for (const topic of outputs.filter((t) => listed.has(t))) {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    report({
      status: 'ok',
      what: `output topic ${topic}`,
      detail: `exists, ${metadata.topics[0]?.partitions.length ?? 0} partition(s)`,
    });
  }
  if (listed.has(topics.dedup)) {
    try {
      await verifyDedupTopic(admin, topics.dedup, inputPartitions, options.dedup.windowMs);
      report({
        status: 'ok',
        what: `dedup topic ${topics.dedup}`,
        detail: `compacted, deleted past retention.ms above dedup.windowMs, with at least the input's ${inputPartitions} partition(s)`,
      });
    } catch (error) {
      report({ status: 'fail', what: `dedup topic ${topics.dedup}`, detail: describeError(error) });
    }
  }
  const absent: string[] = [];
  for (const topic of missing) {
    try {
      // validateOnly: the broker authorizes and validates the creation without making the topic;
      // false means it exists already, though the principal cannot see it (no READ or WRITE).
      const creatable = await admin.createTopics({
        validateOnly: true,
        topics: [{ topic, numPartitions: Math.max(1, inputPartitions) }],
      });
      if (creatable) {
        absent.push(topic);
        report({
          status: 'ok',
          what: `CREATE on Topic "${topic}"`,
          detail: 'the topic does not exist yet; the first start creates it (validated, not created)',
        });
      } else {
        const need = { operation: 'WRITE', resource: 'Topic', name: topic } as const;
        report({
          status: 'fail',
          what: describeNeed(need),
          detail: 'denied: the topic exists but is not visible to the principal',
          fix: `grant it: ${aclCommand(need, '<principal>')}`,
        });
      }
    } catch (error) {
      const denied = isAuthorizationFailure(error);
      const need = { operation: 'CREATE', resource: 'Topic', name: topic } as const;
      report({
        status: 'fail',
        what: describeNeed(need),
        detail: denied ? 'denied: the topic does not exist and may not be created' : describeError(error),
        fix: denied
          ? `create it beforehand, or grant: ${aclCommand(need, '<principal>')}`
          : 'see the error above',
      });
    }
  }

  const present = (t: string): boolean => listed.has(t);
  const checks = await probeKafkaAccess(kafka, {
    groupId: committer.groupId,
    transactionalIdPrefix: committer.transactionalIdPrefix,
    inputTopics: options.consumer.inputTopics.filter(present),
    writeTopics: [...outputs, topics.dedup].filter(present),
    restore: present(topics.dedup)
      ? { topic: topics.dedup, groupId: `${committer.groupId}.dedup-restore-check` }
      : undefined,
  });
  for (const check of checks) {
    report({
      status: check.ok ? 'ok' : 'fail',
      what: describeNeed(check.need),
      detail: check.ok ? 'granted' : 'denied',
      ...(check.ok ? {} : { fix: `grant it: ${aclCommand(check.need, '<principal>')}` }),
    });
  }
  for (const topic of absent) {
    report({
      status: 'skip',
      what: `WRITE on Topic "${topic}"`,
      detail: 'not checked: the topic does not exist yet (check again after the first start)',
    });
  }
}

async function checkRegistry(options: ConnectorOptions, report: (line: CheckLine) => void): Promise<void> {
  const endpoint = options.registry;
  const what = `registry.url ${redactUrl(endpoint.url)}`;
  try {
    const answer = await registryCall(endpoint, 'GET', '/subjects');
    if (answer.status === 401 || answer.status === 403) {
      report({
        status: 'fail',
        what,
        detail: `refused: HTTP ${answer.status}`,
        fix: 'check registry.username/password or registry.bearerToken',
      });
      return;
    }
    if (answer.status !== 200) {
      report({
        status: 'fail',
        what,
        detail: `answered HTTP ${answer.status} to GET /subjects`,
        fix: 'point registry.url at the Confluent API (Apicurio: /apis/ccompat/v7)',
      });
      return;
    }
    report({
      status: 'ok',
      what,
      detail: `reachable and authorized (${Array.isArray(answer.body) ? answer.body.length : 0} subject(s))`,
    });
  } catch (error) {
    report({
      status: 'fail',
      what,
      detail: describeError(error),
      fix: 'check that the registry is reachable from here, and registry.ssl.ca for a private CA',
    });
    return;
  }
  const { topics, processor } = options;
  const outputs: [OutputSchemaName, string][] = [
    ['cxone-result', topics.results],
    ['cxone-audit', topics.audit],
    ['cxone-dedup-entry', topics.dedup],
  ];
  for (const [name, topic] of outputs) {
    if (processor.autoRegisterSchemas) {
      report({
        status: 'ok',
        what: `output schema ${name} for ${topic}`,
        detail: 'registered at start (registry.autoRegister: true)',
      });
      continue;
    }
    try {
      const { subject, id } = await findRegisteredSchema(
        endpoint,
        name,
        topic,
        processor.subjectNameStrategy,
      );
      report({ status: 'ok', what: `subject ${subject}`, detail: `holds schema ${name} (id ${id})` });
    } catch (error) {
      report({ status: 'fail', what: `output schema ${name} for ${topic}`, detail: describeError(error) });
    }
  }
}

async function checkCxone(
  options: ConnectorOptions,
  metrics: ConnectorMetrics,
  report: (line: CheckLine) => void,
): Promise<void> {
  const clients = createCxoneClients(options.cxone, { metrics, now: Date.now });
  const signal = AbortSignal.timeout(30_000);
  try {
    try {
      await clients.token(signal);
      report({
        status: 'ok',
        what: `CXone token (cxone.auth.style ${options.cxone.auth.style})`,
        detail: 'issued',
      });
    } catch (error) {
      report({
        status: 'fail',
        what: `CXone token (cxone.auth.style ${options.cxone.auth.style})`,
        detail: describeError(error),
        fix: 'check cxone.auth (style, ids, secrets, tokenPath/tokenUrl)',
      });
      return;
    }
    for (const route of options.processor.routes) {
      try {
        if (route.action === 'journey-trigger') {
          const state = await clients.journeys.journeyState(route.journeyId, signal);
          report({
            status: state === 'ACTIVE' ? 'ok' : 'fail',
            what: `route ${route.name}: journey ${route.journeyId}`,
            detail: state,
            ...(state === 'ACTIVE'
              ? {}
              : {
                  fix: 'activate the journey in CXone, or fix the route journeyId (its events would be JOURNEY_INACTIVE)',
                }),
          });
        } else {
          const inputs = await clients.dataActions.inputNames(route.actionId, signal);
          report({
            status: 'ok',
            what: `route ${route.name}: data action ${route.actionId}`,
            detail: `definition readable (inputs: ${inputs.join(', ') || 'none'})`,
          });
        }
      } catch (error) {
        report({
          status: 'fail',
          what: `route ${route.name}`,
          detail: describeError(error),
          fix: 'check the route id, cxone.paths and the token scopes',
        });
      }
    }
  } finally {
    await clients.close();
  }
}
