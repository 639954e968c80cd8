/**
 * The product's main job, end to end, on the local real stack:
 * start Kafka, the registry and the CXone simulator; publish sample Avro CDP
 * events (and a few poison records); run the connector until every record is
 * committed; print what happened; stop everything.
 *
 *   npm run demo [-- --events 300] [-- --secure]
 *
 * --secure: the same on the secured stack: the connector reaches Kafka over
 * SASL_SSL with SCRAM-SHA-512 as a principal holding only the ACLs docs/security.md lists, and
 * the registry over TLS with basic auth (examples/local-secured.yaml).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createPublicKey } from 'node:crypto';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';
import { startStack } from '../devkit/stack/index.ts';
import {
  createCdpEventEncoder,
  generateEvents,
  produceRecords,
  type RawRecord,
} from '../devkit/cdp-events.ts';
import { groupLag } from '../devkit/group-lag.ts';
import { grantConnectorAcls } from '../devkit/secured-kafka.ts';
import { readTopicToEnd } from '../src/replay/read-topic.ts';
import {
  countBy,
  decodeAll,
  dlqCode,
  type DecodedAudit,
  type DecodedResult,
} from '../devkit/output-decoding.ts';
import { createTopics } from '../src/kafka/create-topics.ts';
import { keyIdOf } from '../src/audit/checkpoint.ts';
import { runAuditVerify } from '../src/verify/audit-verify.ts';
import { verified } from '../src/verify/verify-summary.ts';
import { STACK_AUDIT_SIGNING_KEY } from '../devkit/stack-connector-config.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '300' },
    partitions: { type: 'string', default: '6' },
    timeout: { type: 'string', default: '180' },
    secure: { type: 'boolean', default: false },
  },
});
const eventCount = Number(values.events);
const partitions = Number(values.partitions);
const timeoutMs = Number(values.timeout) * 1000;
const root = new URL('..', import.meta.url).pathname;
const topic = 'cdp.events';
const groupId = 'cxone-connector-demo';

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const started = Date.now();
  say('▶ starting Kafka, the schema registry and the CXone simulator on 127.0.0.1 …');
  const stack = await startStack({
    sim: { command: [process.execPath, join(root, 'src/cli.ts'), 'sim'], cwd: root },
    log: say,
    secure: values.secure,
  });
  let connectorExit: Promise<number | null> | undefined;
  let stopConnector = (): void => undefined;
  try {
    say(`  Kafka ${stack.kafka.version} at ${stack.kafka.bootstrap}`);
    say(`  registry at ${stack.registry.url}`);
    say(`  simulator at ${stack.sim?.url ?? '(none)'}`);
    if (stack.secure) {
      say(`  SASL_SSL listener at ${stack.secure.saslSslBootstrap} (ACLs enforced)`);
      say(`  registry over TLS with basic auth at ${stack.secure.registryUrl}`);
    }
    say(`  logs in ${stack.logsDir}`);

    const kafka = new Kafka({
      clientId: 'demo',
      brokers: [stack.kafka.bootstrap],
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [{ topic, numPartitions: partitions }]);
    if (stack.secure) {
      const granted = await grantConnectorAcls(admin, 'User:connector', {
        groupId,
        transactionalIdPrefix: groupId,
        inputTopics: [topic],
        outputTopics: ['cxone.results', 'cxone.audit', 'cxone.dlq', 'cxone.audit.checkpoints'],
        dedupTopic: 'cxone.dedup',
        createTopics: true,
      });
      say(
        `▶ granted User:connector the ${granted.length} ACLs docs/security.md "Kafka ACLs" lists, and nothing else`,
      );
    }

    say(
      `▶ publishing ${eventCount} Avro CDP events (+ 4 poison records) to ${topic} (${partitions} partitions) …`,
    );
    const encoder = await createCdpEventEncoder(stack.registry.url, topic);
    const events = generateEvents({ count: eventCount, contacts: Math.max(1, Math.ceil(eventCount / 3)) });
    const records: RawRecord[] = events.map((e) => ({ key: e.contactId, value: encoder.encode(e) }));
    const missingIds = {
      ...events[0]!,
      eventId: 'poison-no-identifiers',
      identifiers: { email: null, external_id: null, phone: null },
    };
    records.push(
      { key: 'poison-1', value: Buffer.from('{"not":"avro"}') },
      { key: 'poison-2', value: Buffer.from([0, 0, 0x0f, 0x42, 0x3f, 1, 2, 3]) },
      { key: 'poison-3', value: encoder.encode(events[1]!).subarray(0, 12) },
      { key: missingIds.contactId, value: encoder.encode(missingIds) },
    );
    const producer = kafka.producer();
    await producer.connect();
    await produceRecords(producer, topic, records);
    await producer.disconnect();

    const configFile = stack.secure ? 'examples/local-secured.yaml' : 'examples/local-simulator.yaml';
    say(`▶ running the connector: cxone-connector run --config ${configFile}`);
    const log = createWriteStream(join(stack.logsDir, 'connector-demo.log'));
    const child = spawn(
      process.execPath,
      [join(root, 'src/cli.ts'), 'run', '--config', join(root, configFile)],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          CXONE_CLIENT_SECRET: 'sim-secret',
          // The audit HMAC key of the demo (contact ids in its audit topic are hmac-sha256:<hex>).
          CXONE_PII_KEY: 'local-demo-audit-pii-key-0123456789abcdef',
          // The audit chains' signing key (test data only), and checkpoints often enough for a short run.
          CXONE_CONNECTOR__AUDIT__SIGNING_KEY: STACK_AUDIT_SIGNING_KEY,
          CXONE_CONNECTOR__AUDIT__CHECKPOINT_EVERY: '20',
          CXONE_CONNECTOR__KAFKA__GROUP_ID: groupId,
          CXONE_CONNECTOR__CXONE__BASE_URL: stack.sim?.url ?? '',
          ...(stack.secure
            ? {
                CXONE_CONNECTOR__KAFKA__BROKERS: `[${stack.secure.saslSslBootstrap}]`,
                CXONE_CONNECTOR__REGISTRY__URL: stack.secure.registryUrl,
                STACK_CA_PEM: readFileSync(stack.secure.security.caFile, 'utf8'),
                KAFKA_PASSWORD: stack.secure.security.users.connector,
                REGISTRY_PASSWORD: stack.secure.security.registry.password,
              }
            : {
                CXONE_CONNECTOR__KAFKA__BROKERS: `[${stack.kafka.bootstrap}]`,
                CXONE_CONNECTOR__REGISTRY__URL: stack.registry.url,
              }),
        },
      },
    );
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    connectorExit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    stopConnector = () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    };

    const deadline = Date.now() + timeoutMs;
    let lag = records.length;
    while (Date.now() < deadline) {
      await sleep(500);
      if (child.exitCode !== null)
        throw new Error(
          `the connector exited early with code ${child.exitCode}; see ${stack.logsDir}/connector-demo.log`,
        );
      lag = await groupLag(admin, groupId, topic);
      if (lag === 0) break;
    }
    if (lag !== 0)
      throw new Error(
        `${lag} records still unprocessed after ${values.timeout}s; see ${stack.logsDir}/connector-demo.log`,
      );
    const processedIn = (Date.now() - started) / 1000;
    child.kill('SIGTERM');
    const code = await connectorExit;
    connectorExit = undefined;
    await admin.disconnect();

    say('▶ reading what the connector wrote …');
    const [results, audit, dlq] = await Promise.all([
      readTopicToEnd(kafka, 'cxone.results').then((r) => decodeAll<DecodedResult>(stack.registry.url, r)),
      readTopicToEnd(kafka, 'cxone.audit').then((r) => decodeAll<DecodedAudit>(stack.registry.url, r)),
      readTopicToEnd(kafka, 'cxone.dlq'),
    ]);
    const stackKey = createPublicKey(STACK_AUDIT_SIGNING_KEY);
    const chains = await runAuditVerify(kafka, new SchemaRegistry({ host: stack.registry.url }), {
      auditTopic: 'cxone.audit',
      checkpointsTopic: 'cxone.audit.checkpoints',
      keys: new Map([[keyIdOf(stackKey), stackKey]]),
      groupPrefix: groupId,
    });
    const stats = (await (await fetch(`${stack.sim?.url}/_sim/stats`)).json()) as SimStats;
    const calls = Object.entries(stats.requests).map(
      ([endpoint, byStatus]) => [endpoint, Object.values(byStatus).reduce((a, b) => a + b, 0)] as const,
    );

    say('');
    say('════════ cxone-connector demo summary ════════');
    say(`events published        ${records.length} (${events.length} valid, 4 poison)`);
    say(`events consumed         ${records.length} (consumer group lag 0)`);
    say(`CXone calls made        ${calls.reduce((a, [, n]) => a + n, 0)}`);
    for (const [endpoint, n] of calls) say(`  ${endpoint.padEnd(40)} ${n}`);
    say(
      `CXone triggers accepted ${stats.effects.total} (distinct idempotency keys: ${Object.keys(stats.effects.byKey).length})`,
    );
    say(`results written         ${results.length}`);
    for (const [outcome, n] of Object.entries(countBy(results, (r) => r.outcome)))
      say(`  ${outcome.padEnd(40)} ${n}`);
    say(`audit records written   ${audit.length}`);
    say(
      `audit chains verified   ${verified(chains) ? 'yes' : 'NO'}: ${chains.report.chains.length} chains, ${chains.report.chains.reduce((n, c) => n + c.checkpoints, 0)} signed checkpoints (cxone-connector audit verify)`,
    );
    say(`dead letters            ${dlq.length}`);
    for (const [errorCode, n] of Object.entries(countBy(dlq, dlqCode))) say(`  ${errorCode.padEnd(40)} ${n}`);
    say(`connector exit code     ${code} (graceful stop on SIGTERM)`);
    say(`time                    ${processedIn.toFixed(1)} s to process everything from a cold start`);
    say('═══════════════════════════════════════════════');
    const ok =
      results.length === events.length &&
      audit.length === events.length &&
      dlq.length === 4 &&
      code === 0 &&
      verified(chains);
    if (!ok) throw new Error('the demo finished but the counts are not what they should be (see above)');
  } finally {
    if (connectorExit) {
      stopConnector();
      await connectorExit;
    }
    say('▶ stopping the stack …');
    await stack.stop();
  }
}

interface SimStats {
  requests: Record<string, Record<string, number>>;
  effects: { total: number; byKey: Record<string, number> };
}

main().then(
  () => say('✔ demo done'),
  (error: unknown) => {
    process.stderr.write(`✖ demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
