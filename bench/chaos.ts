/**
 * The chaos run: proves the exactly-once effect on the real stack while
 * connector processes are SIGKILLed (at random and at the worst moments on
 * purpose), the broker is killed and restarted, an instance is frozen past its
 * session timeout and thawed, and the simulator injects 429s, 5xx and hangs.
 *
 *   npm run chaos -- [--events 20000] [--partitions 6] [--instances 3]
 *                    [--kill-every 4] [--produce-seconds 60] [--json chaos.json]
 *   npm run chaos -- --scenario recovery [--fault-seconds 60] [--registry-outage-seconds 30]
 *                    [--events-per-second 40] [--json recovery.json]
 *
 * Exit code 0 only if every invariant holds (see `passed` in the summary).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createPublicKey } from 'node:crypto';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';
import { startStack } from '../devkit/stack/index.ts';
import { createCdpEventEncoder } from '../devkit/cdp-events.ts';
import { groupLag } from '../devkit/group-lag.ts';
import { dlqCode, decodeAll, countBy } from '../devkit/output-decoding.ts';
import {
  ownTopics,
  STACK_AUDIT_SIGNING_KEY,
  stackConnectorConfig,
  type OwnTopics,
  type StackEndpoints,
} from '../devkit/stack-connector-config.ts';
import { readTopic } from '../src/replay/read-topic.ts';
import { runAuditVerify } from '../src/verify/audit-verify.ts';
import { keyIdOf } from '../src/audit/checkpoint.ts';
import { grantConnectorAcls, securedKafka } from '../devkit/secured-kafka.ts';
import { planChaosEvents } from './lib/chaos-events.ts';
import { createInstances, type Instances } from './lib/instances.ts';
import { runRecoveryScenario } from './lib/recovery-scenario.ts';
import { startResultsVerifier } from './lib/results-verifier.ts';
import { runScript } from './lib/run-script.ts';
import { awaitTopicsReady, createTopics } from '../src/kafka/create-topics.ts';
import { writtenTopics } from '../src/config/written-topics.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    partitions: { type: 'string', default: '6' },
    instances: { type: 'string', default: '3' },
    'kill-every': { type: 'string', default: '4' },
    'produce-seconds': { type: 'string', default: '60' },
    'session-timeout-ms': { type: 'string', default: '10000' },
    'crash-after-call': { type: 'string', default: '0.0005' },
    'crash-during-commit': { type: 'string', default: '0.003' },
    /** Per dedup checkpoint write, between the temporary file and its rename. */
    'crash-during-checkpoint': { type: 'string', default: '0.02' },
    /** The odds that an instance restarting after a death finds one of its checkpoints altered. */
    'tamper-checkpoint': { type: 'string', default: '0.5' },
    timeout: { type: 'string', default: '900' },
    json: { type: 'string' },
    /** `kills` (the default) or `recovery` (bench/lib/recovery-scenario.ts). */
    scenario: { type: 'string', default: 'kills' },
    'fault-seconds': { type: 'string', default: '60' },
    'registry-outage-seconds': { type: 'string', default: '30' },
    'events-per-second': { type: 'string', default: '40' },
    /** The connectors reach Kafka over SASL_SSL with SCRAM-SHA-512, holding only the ACLs docs/security.md lists. */
    secure: { type: 'boolean', default: false },
    /** A KRaft cluster of this many nodes; with more than one, brokers are killed by role (see below). */
    brokers: { type: 'string', default: '1' },
  },
});
const opt = {
  events: Number(values.events),
  partitions: Number(values.partitions),
  instances: Number(values.instances),
  killEveryMs: Number(values['kill-every']) * 1000,
  produceMs: Number(values['produce-seconds']) * 1000,
  sessionTimeoutMs: Number(values['session-timeout-ms']),
  timeoutMs: Number(values.timeout) * 1000,
};
const root = new URL('..', import.meta.url).pathname;
const say = (line: string) =>
  process.stdout.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

let seed = 20261123;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};

async function main(): Promise<number> {
  const started = Date.now();
  const runId = `chaos${Date.now().toString(36)}`;
  const stack = await startStack({
    dir: mkdtempSync(join(tmpdir(), 'cxone-chaos-')),
    sim: {
      command: [
        process.execPath,
        join(root, 'src/cli.ts'),
        'sim',
        '--contacts',
        '5000',
        '--rate-429',
        '0.1',
        '--retry-after-s',
        '1',
        '--rate-5xx',
        '0.02',
        '--rate-hang',
        '0.01',
        '--hang-ms',
        '4000',
        '--seed',
        '7',
      ],
      cwd: root,
    },
    log: say,
    secure: values.secure,
    brokers: Number(values.brokers),
  });
  const kafka = new Kafka({
    clientId: 'chaos',
    brokers: stack.kafka.brokers,
    logLevel: logLevel.NOTHING,
  });
  const input = `${runId}.events`;
  const topics = ownTopics(runId);
  const groupId = `${runId}-connector`;
  let chaosOn = true;
  /** Instances whose next start dies in its first checkpoint write (the checkpoint phase). */
  const killInCheckpoint = new Set<number>();
  const instances = createInstances({
    root,
    // The only entry point that reads CXONE_CONNECTOR_TEST_CRASH_POINTS; the product's ignores it.
    entry: 'src/cli-crash-points.ts',
    configFile: writeConfig(stack.logsDir, {
      endpoints: {
        bootstrap: stack.kafka.brokers.join(','),
        registry: stack.registry.url,
        sim: stack.sim?.url ?? '',
      },
      input,
      topics,
      groupId,
      kafkaSecurity: stack.secure
        ? {
            ...securedKafka(stack.secure, 'scram').kafka,
            sasl: { mechanism: 'scram-sha-512', username: 'connector', password: '${env:KAFKA_PASSWORD}' },
          }
        : undefined,
    }),
    logsDir: stack.logsDir,
    beforeRestart: (index) => beforeRestart(index),
    // Crash points are armed only in processes started while the chaos lasts; afterwards the group must converge.
    env: (index) => ({
      CXONE_CLIENT_SECRET: 'sim-secret',
      // Each instance keeps its own dedup checkpoints and name across its restarts, as a StatefulSet pod would.
      CXONE_STATE_DIR: join(stack.logsDir, `state-${index}`),
      CXONE_INSTANCE_ID: `chaos-${index}`,
      ...(stack.secure ? { KAFKA_PASSWORD: stack.secure.security.users.connector } : {}),
      ...(chaosOn
        ? {
            CXONE_CONNECTOR_TEST_CRASH_POINTS: `after-call=${values['crash-after-call']},during-commit=${values['crash-during-commit']},during-checkpoint=${killInCheckpoint.delete(index) ? 1 : values['crash-during-checkpoint']}`,
          }
        : {}),
    }),
  });
  let tampered = 0;
  const tamperOdds = Number(values['tamper-checkpoint']);
  const beforeRestart = (index: number): void => {
    if (!chaosOn || random() >= tamperOdds) return;
    if (tamperCheckpoint(join(stack.logsDir, `state-${index}`), random)) {
      tampered++;
      say(`instance ${index}: one of its dedup checkpoints altered before its restart`);
    }
  };
  let brokerRestarts = 0;
  const brokerKills: { node: number; role: string }[] = [];
  let freezes = 0;
  try {
    const admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [{ topic: input, numPartitions: opt.partitions }]);
    if (stack.secure) {
      const granted = await grantConnectorAcls(admin, 'User:connector', {
        groupId,
        transactionalIdPrefix: groupId,
        inputTopics: [input],
        outputTopics: writtenTopics(topics),
        dedupTopic: topics.dedup,
        createTopics: true,
      });
      say(
        `secured: the connectors use SASL_SSL + SCRAM-SHA-512 as User:connector with ${granted.length} ACLs`,
      );
    }
    await admin.disconnect();
    const encoder = await createCdpEventEncoder(stack.registry.url, input);
    const plan = planChaosEvents({ count: opt.events, contacts: 5000, encoder, runId, route: 'welcome' });
    say(
      `${plan.records.length} records: ${plan.uniqueKeys.size} unique valid, ${plan.repeats} repeats, ${plan.poison} poison`,
    );

    instances.start(opt.instances);
    // The results topic is created by the first connector; the verifier waits for it.
    await waitForTopic(kafka, topics.results);
    const verifier = await startResultsVerifier(kafka, stack.registry.url, topics.results);

    // Handlers attached now: a rejection must not surface as an unhandled one while chaos goes on.
    const producing = producePaced(kafka, input, plan.records, opt.produceMs).then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
    const chaosEnd = started + opt.produceMs + 10_000;
    const events: Promise<void>[] = [];
    const chaosError = (error: unknown): void => {
      say(`chaos step failed: ${String(error)}`);
    };
    events.push(
      (stack.kafka.nodes.length === 1
        ? (async () => {
            await sleep(opt.produceMs * 0.4);
            say('broker: SIGKILL');
            await stack.killKafka();
            await sleep(3000);
            await stack.startKafka();
            brokerRestarts++;
            say('broker: back');
          })()
        : (async () => {
            // A cluster: one node down at a time (min.insync.replicas 2 of 3 keeps writes going),
            // chosen by what it leads: the transaction coordinator of the connector's ids, the group
            // coordinator, then any node.
            const roles = [
              'transaction coordinator',
              'group coordinator',
              'any node',
              'transaction coordinator',
            ];
            for (const [i, role] of roles.entries()) {
              await sleep(
                opt.produceMs * (0.15 + 0.2 * i) - (i === 0 ? 0 : opt.produceMs * (0.15 + 0.2 * (i - 1))),
              );
              const node = await brokerFor(kafka, role, stack.kafka.nodes, random);
              say(`broker ${node} (${role}): SIGKILL`);
              await stack.killBroker(node);
              brokerKills.push({ node, role });
              await sleep(4000);
              await stack.startBroker(node);
              brokerRestarts++;
              say(`broker ${node}: back`);
            }
          })()
      ).catch(chaosError),
      (async () => {
        await sleep(opt.produceMs * 0.7);
        const index = Math.floor(random() * opt.instances);
        say(`instance ${index}: SIGSTOP for ${opt.sessionTimeoutMs + 5000} ms (past its session timeout)`);
        instances.freeze(index);
        await sleep(opt.sessionTimeoutMs + 5000);
        instances.thaw(index);
        freezes++;
        say(`instance ${index}: SIGCONT (a zombie now: it must not commit)`);
      })().catch(chaosError),
    );
    while (Date.now() < chaosEnd) {
      await sleep(opt.killEveryMs);
      const killed = instances.killRandom(random);
      if (killed >= 0) say(`instance ${killed}: SIGKILL`);
    }
    const produceError = await producing;
    if (produceError) throw produceError;
    await Promise.all(events);
    tampered += await checkpointPhase(instances, stack.logsDir, opt.instances, killInCheckpoint);
    chaosOn = false;
    say('chaos over; waiting for the group to catch up');

    const lagAdmin = kafka.admin();
    await lagAdmin.connect();
    const deadline = started + opt.timeoutMs;
    let lag = -1;
    while (Date.now() < deadline) {
      lag = await groupLag(lagAdmin, groupId, input).catch(() => -1);
      if (lag === 0) break;
      await sleep(1000);
    }
    await instances.stopAll('SIGTERM');
    const finalLag = await groupLag(lagAdmin, groupId, input);
    await lagAdmin.disconnect();
    await sleep(1000);
    const verifierDuplicates = verifier.duplicates();
    const verifierRedeliveries = verifier.redeliveries();
    await verifier.stop();

    const stats = (await fetchJson(`${stack.sim?.url}/_sim/stats`)) as {
      effects: { total: number; byKey: Record<string, number> };
    };
    const byKey = stats.effects.byKey;
    // A producer retry across the broker restart may have written a chunk twice: count what is really there.
    const inputRecords = (await readTopic(kafka, input, 120_000)).records;
    const poisonInInput = inputRecords.filter((r) => r.key?.toString().startsWith('poison-')).length;
    const [results, audit, dlq, dedup] = await Promise.all([
      readTopic(kafka, topics.results, 120_000),
      readTopic(kafka, topics.audit, 120_000),
      readTopic(kafka, topics.dlq, 120_000),
      readTopic(kafka, topics.dedup, 120_000),
    ]);
    const decodedResults = await decodeAll<{
      idempotencyKey: string;
      outcome: string;
      sourcePartition: number;
      sourceOffset: number;
      processedAt: number;
    }>(stack.registry.url, results.records);
    const perKey = countBy(
      decodedResults.filter((r) => r.outcome !== 'DUPLICATE'),
      (r) => r.idempotencyKey,
    );
    // Where a doubled outcome came from, to start the investigation when the run fails.
    const doubled = Object.entries(perKey)
      .filter(([, n]) => n > 1)
      .slice(0, 5)
      .map(([key]) =>
        decodedResults
          .filter((r) => r.idempotencyKey === key)
          .map((r) => `${key} ${r.outcome} p${r.sourcePartition}@${r.sourceOffset} t=${r.processedAt}`),
      );
    if (doubled.length > 0)
      say(`outcomes written more than once (first 5):\n${JSON.stringify(doubled, null, 2)}`);
    // The audit chains through every kill and broker restart: continued by each new owner, never forked.
    const stackKey = createPublicKey(STACK_AUDIT_SIGNING_KEY);
    const chains = await runAuditVerify(kafka, new SchemaRegistry({ host: stack.registry.url }), {
      auditTopic: topics.audit,
      checkpointsTopic: topics.auditCheckpoints,
      keys: new Map([[keyIdOf(stackKey), stackKey]]),
      groupPrefix: groupId,
      timeoutMs: 120_000,
    });
    if (chains.report.divergences.length > 0)
      say(`audit chain divergences:\n${JSON.stringify(chains.report.divergences.slice(0, 5), null, 2)}`);
    const openTransactions = [results, audit, dlq, dedup].reduce(
      (n, t) => n + [...t.stableEnds].filter(([p, end]) => (t.highWatermarks.get(p) ?? 0n) > end).length,
      0,
    );
    const summary = {
      events: inputRecords.length,
      unique_valid: plan.uniqueKeys.size,
      repeats: inputRecords.length - poisonInInput - plan.uniqueKeys.size,
      poison: poisonInInput,
      kills: instances.plannedKills() + instances.unplannedDeaths(),
      kills_random: instances.plannedKills(),
      kills_at_crash_points: instances.unplannedDeaths(),
      checkpoints_tampered: tampered,
      checkpoints_refused: countLines(stack.logsDir, /^connector-\d+\.log$/, 'dedup checkpoint not used'),
      kills_in_checkpoint_write: countLines(
        stack.logsDir,
        /^connector-\d+\.log$/,
        'crash point during-checkpoint',
      ),
      checkpoints_written: countFiles(stack.logsDir, /^state-/, '.ckpt'),
      broker_restarts: brokerRestarts,
      brokers: stack.kafka.nodes.length,
      broker_kills: brokerKills,
      freezes,
      accepted_effects: stats.effects.total,
      lost: [...plan.uniqueKeys].filter((k) => !byKey[k]).length,
      duplicate_effects: Object.values(byKey).filter((n) => n > 1).length,
      results_per_event_max: Math.max(0, ...Object.values(perKey)),
      results_missing: [...plan.uniqueKeys].filter((k) => !perKey[k]).length,
      duplicate_outcomes: decodedResults.filter((r) => r.outcome === 'DUPLICATE').length,
      audit_records: audit.records.length,
      audit_chained_records: chains.report.chains.reduce((n, c) => n + c.records, 0),
      audit_checkpoints: chains.report.chains.reduce((n, c) => n + c.checkpoints, 0),
      audit_divergences: chains.report.divergences.length + chains.unreadable.length + chains.pinned.length,
      dlq_records: dlq.records.length,
      dlq_codes: countBy(dlq.records, dlqCode),
      final_lag: finalLag,
      open_transactions: openTransactions,
      verifier_duplicates: verifierDuplicates,
      verifier_redeliveries: verifierRedeliveries,
      seconds: Math.round((Date.now() - started) / 1000),
      passed: false,
    };
    summary.passed =
      summary.lost === 0 &&
      summary.duplicate_effects === 0 &&
      summary.results_per_event_max === 1 &&
      summary.results_missing === 0 &&
      // Every repeat yields one DUPLICATE and nothing else does: no committed record was processed twice.
      summary.duplicate_outcomes === summary.repeats &&
      summary.audit_records === summary.unique_valid + summary.repeats &&
      summary.audit_chained_records === summary.audit_records &&
      summary.audit_divergences === 0 &&
      summary.dlq_records === summary.poison &&
      summary.final_lag === 0 &&
      summary.open_transactions === 0 &&
      summary.verifier_duplicates === 0 &&
      summary.broker_restarts >= 1 &&
      summary.freezes >= 1;
    say(`summary:\n${JSON.stringify(summary, null, 2)}`);
    if (values.json) writeFileSync(values.json, `${JSON.stringify(summary, null, 2)}\n`);
    say(summary.passed ? 'PASSED' : `FAILED (logs: ${stack.logsDir})`);
    return summary.passed ? 0 : 1;
  } finally {
    await instances.stopAll('SIGKILL', 5000);
    await stack.stop();
  }
}

/**
 * The node to kill for `role`: the leader of the one partition of __transaction_state (the
 * coordinator of every transactional id, offsets.topic and transaction.state.log have one
 * partition here) or of __consumer_offsets (every group's coordinator), or a random node.
 */
async function brokerFor(kafka: Kafka, role: string, nodes: number[], rnd: () => number): Promise<number> {
  const internal =
    role === 'transaction coordinator'
      ? '__transaction_state'
      : role === 'group coordinator'
        ? '__consumer_offsets'
        : undefined;
  if (internal !== undefined) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [internal] });
      const leader = metadata.topics[0]?.partitions[0]?.leader;
      if (leader !== undefined && nodes.includes(leader)) return leader;
    } finally {
      await admin.disconnect();
    }
  }
  return nodes[Math.floor(rnd() * nodes.length)] ?? 1;
}

/** Flips one byte in the middle of one checkpoint file under `dir`; false when there is none yet. */
function tamperCheckpoint(dir: string, pick: () => number): boolean {
  const files = listFiles(dir, '.ckpt');
  if (files.length === 0) return false;
  const file = files[Math.floor(pick() * files.length)]!;
  const bytes = readFileSync(file);
  bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
  writeFileSync(file, bytes);
  return true;
}

function listFiles(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith(suffix))
    .map((name) => join(dir, name));
}

/**
 * The kills above come too fast for a claim to finish its restore, so few checkpoints exist yet. Let
 * every instance write some, then alter one of each instance's and restart them all, the first one
 * set to die inside its next checkpoint write. Returns how many checkpoints were altered.
 */
async function checkpointPhase(
  instances: Instances,
  logsDir: string,
  count: number,
  killInCheckpoint: Set<number>,
): Promise<number> {
  const deadline = Date.now() + 60_000;
  const dirs = Array.from({ length: count }, (_, i) => join(logsDir, `state-${i}`));
  while (dirs.some((d) => listFiles(d, '.ckpt').length === 0) && Date.now() < deadline) await sleep(500);
  let altered = 0;
  for (const dir of dirs) if (tamperCheckpoint(dir, random)) altered++;
  say(
    `checkpoint phase: ${altered} checkpoints altered; every instance restarted, instance 0 to die in a checkpoint write`,
  );
  killInCheckpoint.add(0);
  instances.restartAll();
  // Long enough for the restarts' claims (and instance 0's death and second start) to happen under load.
  await sleep(15_000);
  return altered;
}

function countLines(dir: string, file: RegExp, text: string): number {
  return readdirSync(dir)
    .filter((name) => file.test(name))
    .reduce((n, name) => n + readFileSync(join(dir, name), 'utf8').split(text).length - 1, 0);
}

function countFiles(dir: string, folder: RegExp, suffix: string): number {
  return readdirSync(dir)
    .filter((name) => folder.test(name))
    .reduce((n, name) => n + listFiles(join(dir, name), suffix).length, 0);
}

function writeConfig(
  dir: string,
  c: {
    endpoints: StackEndpoints;
    input: string;
    topics: OwnTopics;
    groupId: string;
    kafkaSecurity: Record<string, unknown> | undefined;
  },
): string {
  const file = join(dir, 'chaos-connector.yaml');
  const config = stackConnectorConfig(
    { ...c, clientSecret: '${env:CXONE_CLIENT_SECRET}' },
    {
      kafka: {
        ...c.kafkaSecurity,
        sessionTimeoutMs: opt.sessionTimeoutMs,
        heartbeatIntervalMs: 1000,
        transactionTimeoutMs: 30_000,
        instanceId: '${env:CXONE_INSTANCE_ID}',
      },
      // Checkpoints while partitions are owned, often enough that kills land between and inside them;
      // standby checkpoints of the others, which a takeover after a kill then claims from.
      dedup: { stateDir: '${env:CXONE_STATE_DIR}', checkpointIntervalMs: 2000, standbyIntervalMs: 3000 },
      // Spans short enough that kills land inside them: the next owner must sign a span it did not begin.
      audit: { checkpointEvery: 50 },
      cxone: {
        requestTimeoutMs: 2000,
        // The simulator's 429s here are random noise, not overload: the limiter should barely react.
        rateLimit: { requestsPerSecond: 5000, burst: 200, decreaseFactor: 0.95 },
        retry: {
          maxAttempts: 10,
          initialDelayMs: 100,
          maxDelayMs: 2000,
          multiplier: 2,
          maxElapsedMs: 20_000,
        },
      },
      observability: { logLevel: 'info' },
    },
  );
  writeFileSync(file, JSON.stringify(config));
  return file;
}

async function producePaced(
  kafka: Kafka,
  topic: string,
  records: { key: string | null; value: Buffer | null }[],
  overMs: number,
) {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    retry: { retries: 100, initialRetryTime: 300, maxRetryTime: 3000 },
  });
  await producer.connect();
  const chunk = 100;
  const pause = overMs / Math.ceil(records.length / chunk);
  for (let i = 0; i < records.length; i += chunk) {
    const t = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        await producer.send({ topic, acks: -1, messages: records.slice(i, i + chunk) });
        break;
      } catch (error) {
        if (attempt >= 20) throw error;
        await sleep(1000);
      }
    }
    await sleep(Math.max(0, pause - (Date.now() - t)));
  }
  await producer.disconnect();
  say(`produced ${records.length} records`);
}

/** One GET with a few retries: a single refused or reset connection must not fail a 3-minute run. */
async function fetchJson(url: string): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(url);
      return await response.json();
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      if (attempt >= 5) throw new Error(`GET ${url} failed: ${String(error)} (${String(cause)})`);
      say(`GET ${url} failed (${String(cause ?? error)}), retrying`);
      await sleep(1000);
    }
  }
}

async function waitForTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let i = 0; i < 120; i++) {
      if ((await admin.listTopics().catch((): string[] => [])).includes(topic)) {
        await awaitTopicsReady(admin, [topic]);
        return;
      }
      await sleep(500);
    }
    throw new Error(`topic ${topic} never appeared: did the connectors start? (see their logs)`);
  } finally {
    await admin.disconnect();
  }
}

async function recovery(): Promise<number> {
  const summary = await runRecoveryScenario({
    root,
    faultSeconds: Number(values['fault-seconds']),
    registryOutageSeconds: Number(values['registry-outage-seconds']),
    eventsPerSecond: Number(values['events-per-second']),
    say,
  });
  say(`summary:\n${JSON.stringify(summary, null, 2)}`);
  if (values.json) writeFileSync(values.json, `${JSON.stringify(summary, null, 2)}\n`);
  say(summary.passed ? 'PASSED' : 'FAILED');
  return summary.passed ? 0 : 1;
}

if (values.scenario === 'recovery') runScript('recovery scenario', recovery);
else runScript('chaos run', main);
