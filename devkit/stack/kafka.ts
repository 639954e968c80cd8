// KRaft Kafka on loopback: one node, or a cluster of combined broker + controller
// nodes (`--brokers 3`: replication factor 3, min.insync.replicas 2).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaLibsDir } from './paths.ts';
import { spawnDetached, type SpawnedProcess, waitUntil } from './processes.ts';
import type { KafkaState, SecurityState } from './state.ts';
import { createTopics } from '../../src/kafka/create-topics.ts';

export interface KafkaSetup {
  version: string;
  distDir: string;
  /** Folder of this broker's config and data, under the stack dir. */
  home: string;
  logFile: string;
  port: number;
  controllerPort: number;
  javaBin: string;
  heap: string;
  /** This node's id (1…n) and the cluster's controller quorum, `1@host:port,2@…`. */
  nodeId: number;
  voters: string;
  /** The number of nodes: replication factors follow it (min.insync.replicas n-1, at least 1). */
  nodes: number;
  /** With --secure: a SASL_SSL and an mTLS listener, the StandardAuthorizer, SCRAM users at format. */
  secure?: { saslSslPort: number; mtlsPort: number; security: SecurityState };
}

/**
 * The secured listeners. PLAINTEXT stays for the stack's own tools on loopback
 * (its ANONYMOUS principal is a super user, as in most development setups);
 * every client of the connector under test uses SASL_SSL or SSL, where only the
 * ACLs granted apply.
 */
function secureProperties(secure: NonNullable<KafkaSetup['secure']>): {
  listeners: string[];
  lines: string[];
} {
  const { security: sec } = secure;
  const plainUsers = Object.entries(sec.users)
    .map(([user, pw]) => `user_${user}="${pw}"`)
    .join(' ');
  return {
    listeners: [`SASL_SSL://127.0.0.1:${secure.saslSslPort}`, `SSL://127.0.0.1:${secure.mtlsPort}`],
    lines: [
      'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'allow.everyone.if.no.acl.found=false',
      'super.users=User:ANONYMOUS;User:admin',
      'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER',
      // PEM stores: no keytool, no JKS passwords.
      'ssl.keystore.type=PEM',
      `ssl.keystore.certificate.chain=${pemLine(sec.brokerCertFile)}`,
      `ssl.keystore.key=${pemLine(sec.brokerKeyFile)}`,
      'ssl.truststore.type=PEM',
      `ssl.truststore.certificates=${pemLine(sec.caFile)}`,
      'listener.name.ssl.ssl.client.auth=required',
      // The mTLS principal is the certificate's CN, not the whole distinguished name.
      'ssl.principal.mapping.rules=RULE:^CN=([^,]+)$/$1/,DEFAULT',
      `listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required ${plainUsers};`,
      'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
      // OAUTHBEARER as KIP-768 validates it: JWTs signed by a key of this JWKS, for this audience and issuer.
      'listener.name.sasl_ssl.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;',
      'listener.name.sasl_ssl.oauthbearer.sasl.server.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler',
      `sasl.oauthbearer.jwks.endpoint.url=file://${sec.oauth.jwksFile}`,
      `sasl.oauthbearer.expected.audience=${sec.oauth.audience}`,
      `sasl.oauthbearer.expected.issuer=${sec.oauth.issuer}`,
    ],
  };
}

/** A PEM file as one properties value: Kafka reads the newlines back from `\n` escapes. */
function pemLine(file: string): string {
  return readFileSync(file, 'utf8').trim().split('\n').join('\\n');
}

function serverProperties(setup: KafkaSetup): string {
  const secure = setup.secure ? secureProperties(setup.secure) : undefined;
  const listeners = [`PLAINTEXT://127.0.0.1:${setup.port}`, ...(secure?.listeners ?? [])];
  const minIsr = Math.max(1, setup.nodes - 1);
  const lines = [
    '# Written by devkit/stack/kafka.ts for the local stack; rewritten on each `up`.',
    'process.roles=broker,controller',
    `node.id=${setup.nodeId}`,
    // Static quorum: the same file and format command work on Kafka 3.9 and 4.x.
    `controller.quorum.voters=${setup.voters}`,
    `listeners=${[...listeners, `CONTROLLER://127.0.0.1:${setup.controllerPort}`].join(',')}`,
    `advertised.listeners=${listeners.join(',')}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL',
    ...(secure?.lines ?? []),
    `log.dirs=${join(setup.home, 'data')}`,
    'num.partitions=1',
    `default.replication.factor=${setup.nodes}`,
    `min.insync.replicas=${minIsr}`,
    `offsets.topic.replication.factor=${setup.nodes}`,
    // One partition each: the internal topics are created lazily and that is
    // faster with fewer partitions on a small machine. It also puts every group's and every
    // transactional id's coordinator on one node, the one chaos --brokers 3 kills on purpose.
    'offsets.topic.num.partitions=1',
    `transaction.state.log.replication.factor=${setup.nodes}`,
    `transaction.state.log.min.isr=${minIsr}`,
    'transaction.state.log.num.partitions=1',
    `share.coordinator.state.topic.replication.factor=${setup.nodes}`,
    `share.coordinator.state.topic.min.isr=${minIsr}`,
    'group.initial.rebalance.delay.ms=0',
    // After a crash (killKafka) the restarted broker cannot register until the
    // controller fences the dead incarnation, which takes one session timeout
    // (9s by default). Shorter here, so crash tests restart in about 5s.
    'broker.session.timeout.ms=4000',
    'broker.heartbeat.interval.ms=500',
    'auto.create.topics.enable=false',
    'delete.topic.enable=true',
    'log.retention.hours=24',
    'log.segment.bytes=67108864',
    'num.network.threads=2',
    'num.io.threads=4',
  ];
  return `${lines.join('\n')}\n`;
}

// Everything to stdout, which the stack redirects to logs/kafka.log. Kafka 3.x
// reads the log4j 1 file, Kafka 4.x the log4j 2 one; each ignores the other.
const log4j1 = `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.org.apache.kafka.clients=WARN
`;
const log4j2 = `status = warn
# Kafka's own shutdown hook logs its last lines; log4j's would close the appender first.
shutdownHook = disable
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.statechange.name = state.change.logger
logger.statechange.level = WARN
logger.clients.name = org.apache.kafka.clients
logger.clients.level = WARN
`;

function javaArgs(setup: KafkaSetup, mainClass: string, extra: string[]): string[] {
  return [
    `-Xmx${setup.heap}`,
    `-Xms${setup.heap}`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${join(setup.home, 'log4j.properties')}`,
    `-Dlog4j2.configurationFile=${join(setup.home, 'log4j2.properties')}`,
    `-Dkafka.logs.dir=${join(setup.home, 'logs')}`,
    '-cp',
    `${kafkaLibsDir(setup.distDir, setup.version)}/*`,
    mainClass,
    ...extra,
  ];
}

/** Writes the config and formats the storage: a new, empty cluster (every node formatted with its id). */
export async function prepareKafka(
  setup: KafkaSetup,
  clusterId: string,
): Promise<{ command: string; args: string[] }> {
  await mkdir(join(setup.home, 'data'), { recursive: true });
  await mkdir(join(setup.home, 'logs'), { recursive: true });
  const propsFile = join(setup.home, 'server.properties');
  await writeFile(propsFile, serverProperties(setup));
  await writeFile(join(setup.home, 'log4j.properties'), log4j1);
  await writeFile(join(setup.home, 'log4j2.properties'), log4j2);
  const format = spawnSync(
    setup.javaBin,
    javaArgs({ ...setup, heap: '256m' }, 'kafka.tools.StorageTool', [
      'format',
      '-t',
      clusterId,
      '-c',
      propsFile,
      // SCRAM users exist from the first start (KIP-900): no client may connect before they do.
      ...(setup.secure ? scramUsers(setup.secure.security) : []),
    ]),
    { cwd: setup.home, encoding: 'utf8', timeout: 60_000 },
  );
  if (format.status !== 0) {
    throw new Error(
      `formatting Kafka storage failed (${format.error?.message ?? `exit ${String(format.status)}`}):\n${format.stdout}${format.stderr}`,
    );
  }
  return { command: setup.javaBin, args: javaArgs(setup, 'kafka.Kafka', [propsFile]) };
}

function scramUsers(security: SecurityState): string[] {
  return Object.entries(security.users).flatMap(([name, pw]) =>
    ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((mechanism) => [
      '--add-scram',
      `${mechanism}=[name=${name},password=${pw}]`,
    ]),
  );
}

export function launchKafka(state: Pick<KafkaState, 'command' | 'args' | 'cwd' | 'logFile'>): SpawnedProcess {
  return spawnDetached(state.command, state.args, { cwd: state.cwd, logFile: state.logFile });
}

/**
 * Ready means clients can work, not just that the port is open: the cluster
 * answers metadata and a topic can be created with a leader, then deleted.
 */
async function kafkaWorks(brokers: string[], nodes: number): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'stack-ready-check',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length < nodes || cluster.controller === null) return false;
    const topic = `__stack_probe_${randomBytes(4).toString('hex')}`;
    await createTopics(admin, [{ topic, numPartitions: 1, replicationFactor: nodes }], {
      readyTimeoutMs: 10_000,
    });
    await admin.deleteTopics({ topics: [topic], timeout: 10_000 });
    return true;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Ready when the cluster of `nodes` nodes can host a topic replicated on all of them, asked through
 * `via` only: after a restart, the restarted node's own address, since the controller still lists a
 * node killed a moment ago (until its session times out) and a check through the others would pass
 * before it is back.
 */
export async function waitKafkaReady(
  via: string[],
  nodes: number,
  options: { timeoutMs: number; logFile: string; pid: number; exited?: Promise<string> },
): Promise<void> {
  await waitUntil('Kafka', () => kafkaWorks(via, nodes), options);
}

/**
 * A KRaft cluster id: 16 random bytes, base64url without padding. Like Kafka's
 * own Uuid.randomUuid, never one that starts with "-": the storage tool's
 * argument parser would read it as an option (1 start in 64 failed that way).
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
