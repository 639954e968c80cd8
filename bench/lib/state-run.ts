/**
 * The state benchmark (`--modes state`): what the dedup store costs and
 * holds at `--keys` keys in one partition, on the real stack.
 *
 *   1. The oldest events (2,000) go through the product and are ACCEPTED.
 *   2. The rest of the keys are written straight into the dedup topic's
 *      partition, in the connector's own record format (key
 *      `<input>/<idempotency key>`, the registered cxone-dedup-entry value):
 *      pushing 5,000,000 events through CXone calls would take hours here,
 *      and the store cannot tell the two apart.
 *   3. A fresh instance (an empty dedup.stateDir) claims the partition and
 *      restores all of it from the topic; then the oldest events are re-sent
 *      byte for byte, and must all be DUPLICATE with no CXone call.
 *   4. The same instance restarted on its state folder claims from its
 *      checkpoint.
 *   5. Under a steady load: SIGKILL and an immediate restart on the same
 *      instance id and folder; then a second instance joins, and once its
 *      standby checkpoint of the partition is up to date
 *      (dedup.standbyIntervalMs), the partition's owner is SIGKILLed and the
 *      survivor takes it over. Each is timed from the kill to the partition's
 *      first commit after it.
 *
 * It measures and reports; it asserts nothing.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type avro from 'avsc';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { createCdpEventEncoder, generateEvents, type CdpEventEncoder } from '../../devkit/cdp-events.ts';
import { ownTopics } from '../../devkit/stack-connector-config.ts';
import { createTopics } from '../../src/kafka/create-topics.ts';
import { dedupRecordKey } from '../../src/contracts/dedup-key.ts';
import { createWireEncoder } from '../../src/decode/wire-format.ts';
import { readTopicToEnd } from '../../src/replay/read-topic.ts';
import { startConnector, waitReady, type BenchConnector, type ConnectorHost } from './bench-connector.ts';
import { memoryMb } from './process-probe.ts';
import { simCounts } from './sim-counts.ts';

export interface StateOptions {
  keys: number;
  /** Events per second of the steady load the crash recoveries are timed under. */
  loadEps: number;
}

export interface StateResult {
  keys: number;
  /** How many of the keys went through the product (the rest were written to the dedup topic directly). */
  keys_through_product: number;
  fill_s: number;
  window_duplicate_ratio: number;
  cxone_calls_during_resend: number;
  rss_mb: number;
  state_peak_rss_mb: number;
  disk_mb: number;
  dedup_topic_records: number;
  dedup_topic_mb: number;
  live_keys: number;
  restore_entries_per_s_fresh: number;
  restore_s_fresh: number;
  claim_s_with_checkpoint: number;
  /** Spawn to /readyz of the instance restarted on its checkpoint. */
  ready_s_with_checkpoint: number;
  crash_recovery_s_restarted: number;
  crash_recovery_s_survivor: number;
  /** Where the survivor restored the partition from ("topic" or "checkpoint"). */
  survivor_restored_from: string;
}

interface StateContext extends ConnectorHost {
  admin: Admin;
  kafka: Kafka;
  say: (line: string) => void;
}

const OLDEST = 2000;
const STANDBY_INTERVAL_MS = 5000;
const GROUP = 'state';

export async function runState(context: StateContext, opt: StateOptions): Promise<StateResult> {
  const { admin, kafka, say } = context;
  const name = `${context.runId}-${GROUP}`;
  const topics = ownTopics(name);
  const input = `${context.runId}.state`;
  // One partition: every key of the run is in the one dedup partition a claim restores.
  await createTopics(admin, [{ topic: input, numPartitions: 1 }]);
  const encoder = await createCdpEventEncoder(context.stack.registry.url, input);
  const dirs = { a: join(context.stack.logsDir, 'state-a'), b: join(context.stack.logsDir, 'state-b') };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  const host: ConnectorHost = { ...context, input };
  const live: BenchConnector[] = [];
  const start = async (label: string, instanceId: string, stateDir: string): Promise<BenchConnector> => {
    const connector = await startConnector(host, 'full', label, {
      group: GROUP,
      extra: {
        kafka: { instanceId },
        // Standby checkpoints: the survivor below takes over from one instead of the whole partition.
        dedup: { stateDir, standbyIntervalMs: STANDBY_INTERVAL_MS },
        observability: { logLevel: 'info' },
      },
    });
    live.push(connector);
    return connector;
  };
  const producer = kafka.producer();
  await producer.connect();
  try {
    // 1. The oldest events, through the product.
    const oldest = generateEvents({ count: OLDEST, contacts: 1000, prefix: `${context.runId}-oldest` }).map(
      (e) => ({ key: e.contactId, value: encoder.encode(e) }),
    );
    await producer.send({ topic: input, acks: -1, messages: oldest });
    const first = await start('state-1', 'a', join(context.stack.logsDir, 'state-first'));
    await waitCommitted(admin, name, input, OLDEST, 300_000);
    await first.stop();
    say(`state: the oldest ${OLDEST} events went through the product`);

    // 2. The newer keys, straight into the dedup partition.
    const fillStarted = performance.now();
    await fillDedup(context, producer, topics.dedup, input, name, opt.keys - OLDEST);
    const fillS = (performance.now() - fillStarted) / 1000;
    say(`state: ${opt.keys - OLDEST} newer keys written to ${topics.dedup} in ${fillS.toFixed(1)} s`);
    const topicSize = await dedupTopicSize(admin, context.stack.dir, topics.dedup);

    // 3. A fresh instance restores everything from the topic; the oldest come again.
    // A partition is claimed (and its dedup partition restored) when its first record of the generation
    // arrives: the re-sent events start the claim.
    const fresh = await start('state-2', 'a', dirs.a);
    await waitReady(fresh.metricsPort);
    const callsBefore = (await simCounts(context.stack.sim?.url ?? '')).requests;
    await producer.send({ topic: input, acks: -1, messages: oldest });
    const restored = await waitRestored(fresh, 600_000);
    await waitCommitted(admin, name, input, 2 * OLDEST, 300_000);
    const callsDuring = (await simCounts(context.stack.sim?.url ?? '')).requests - callsBefore;
    const pid = fresh.child.pid ?? 0;
    const memory = memoryMb(pid);
    const liveKeys = await dedupEntries(fresh.metricsPort);
    await fresh.stop();
    const outcomes = await resultOutcomes(kafka, context.stack.registry.url, topics.results);
    const ratio = (outcomes.get('DUPLICATE') ?? 0) / OLDEST;
    say(
      `state: fresh restore of ${restored.entries} entries in ${(restored.durationMs / 1000).toFixed(1)} s; the oldest re-sent: ratio ${ratio} DUPLICATE, ${callsDuring} CXone calls; RSS ${memory.rssMb.toFixed(0)} MB (peak ${memory.peakRssMb.toFixed(0)})`,
    );
    const diskMb = folderBytes(dirs.a) / 2 ** 20;

    // 4. Restarted on its state folder: the claim reads the checkpoint and the tail.
    const spawnedAt = performance.now();
    const again = await start('state-3', 'a', dirs.a);
    await waitReady(again.metricsPort);
    const readyS = (performance.now() - spawnedAt) / 1000;
    const nudge = generateEvents({ count: 10, contacts: 10, prefix: `${context.runId}-nudge` });
    await producer.send({
      topic: input,
      acks: -1,
      messages: nudge.map((e) => ({ key: e.contactId, value: encoder.encode(e) })),
    });
    const fromCheckpoint = await waitRestored(again, 600_000);
    say(
      `state: restart on its checkpoint: claim restored ${fromCheckpoint.entries} entries from ${fromCheckpoint.from} in ${(fromCheckpoint.durationMs / 1000).toFixed(2)} s, ready ${readyS.toFixed(1)} s after spawn`,
    );

    // 5. Crash recoveries under a steady load.
    const load = steadyLoad(producer, input, encoder, opt.loadEps, context.runId);
    try {
      await sleep(8000);
      const restartedS = await timeRecovery(admin, name, input, again, async () =>
        start('state-4', 'a', dirs.a),
      );
      say(
        `state: SIGKILL and restart on the same id and folder: first commit ${restartedS.seconds.toFixed(1)} s after the kill`,
      );
      const restartedPod = restartedS.next;
      const survivorCandidate = await start('state-5', 'b', dirs.b);
      await waitReady(survivorCandidate.metricsPort);
      await sleep(10_000);
      const owner = (await assigned(restartedPod.metricsPort)) > 0 ? restartedPod : survivorCandidate;
      const survivor = owner === restartedPod ? survivorCandidate : restartedPod;
      // Its standby checkpoint of the owner's partition, brought up to date since the owner was known.
      const standbyS = await waitStandby(survivor === restartedPod ? dirs.a : dirs.b, Date.now(), 300_000);
      say(`state: the survivor's standby checkpoint is up to date (${standbyS.toFixed(1)} s)`);
      const seen = restoredLines(survivor).length;
      const survivorS = await timeRecovery(admin, name, input, owner, async () => survivor);
      const survivorRestore = await waitRestored(survivor, 120_000, seen);
      say(
        `state: owner SIGKILLed, the survivor (restored from ${survivorRestore.from}) committed ${survivorS.seconds.toFixed(1)} s after the kill`,
      );
      await survivor.stop();
      return {
        keys: opt.keys,
        keys_through_product: OLDEST,
        fill_s: round(fillS),
        window_duplicate_ratio: ratio,
        cxone_calls_during_resend: callsDuring,
        rss_mb: round(memory.rssMb),
        state_peak_rss_mb: round(memory.peakRssMb),
        disk_mb: round(diskMb),
        dedup_topic_records: topicSize.records,
        dedup_topic_mb: round(topicSize.bytes / 2 ** 20),
        live_keys: liveKeys,
        restore_entries_per_s_fresh: Math.round(restored.entries / (restored.durationMs / 1000)),
        restore_s_fresh: round(restored.durationMs / 1000),
        claim_s_with_checkpoint: round(fromCheckpoint.durationMs / 1000),
        ready_s_with_checkpoint: round(readyS),
        crash_recovery_s_restarted: round(restartedS.seconds),
        crash_recovery_s_survivor: round(survivorS.seconds),
        survivor_restored_from: survivorRestore.from,
      };
    } finally {
      await load.stop();
    }
  } finally {
    for (const connector of live) connector.child.kill('SIGKILL');
    await producer.disconnect();
  }
}

const round = (n: number): number => Math.round(n * 100) / 100;

/** Seconds until a checkpoint under `dir` is written after `sinceMs` (the standby's next round). */
async function waitStandby(dir: string, sinceMs: number, maxMs: number): Promise<number> {
  const deadline = Date.now() + maxMs;
  const written = (): boolean =>
    readdirSync(dir, { recursive: true, withFileTypes: true }).some(
      (f) => f.isFile() && f.name.endsWith('.ckpt') && statSync(join(f.parentPath, f.name)).mtimeMs > sinceMs,
    );
  while (!written()) {
    if (Date.now() > deadline) throw new Error(`no standby checkpoint under ${dir} in ${maxMs} ms`);
    await sleep(250);
  }
  return (Date.now() - sinceMs) / 1000;
}

async function committed(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return Math.max(0, Number(offsets?.partitions.find((p) => p.partition === 0)?.offset ?? -1));
}

async function waitCommitted(
  admin: Admin,
  groupId: string,
  topic: string,
  target: number,
  maxMs: number,
): Promise<void> {
  const deadline = Date.now() + maxMs;
  while ((await committed(admin, groupId, topic)) < target) {
    if (Date.now() > deadline) throw new Error(`${groupId} did not commit ${target} records of ${topic}`);
    await sleep(200);
  }
}

/**
 * SIGKILL `victim`, then `next()` (a restart, or the instance that is to take over); the time from
 * the kill to the first commit of the partition past what was committed when it died.
 */
async function timeRecovery(
  admin: Admin,
  groupId: string,
  topic: string,
  victim: BenchConnector,
  next: () => Promise<BenchConnector>,
): Promise<{ seconds: number; next: BenchConnector }> {
  const killedAt = performance.now();
  victim.child.kill('SIGKILL');
  const successor = await next();
  // A commit already on its way when the process died may still land: take the mark after it.
  await sleep(500);
  const mark = await committed(admin, groupId, topic);
  const deadline = Date.now() + 300_000;
  while ((await committed(admin, groupId, topic)) <= mark) {
    if (Date.now() > deadline) throw new Error(`no commit of ${topic} in 300 s after the kill`);
    await sleep(100);
  }
  return { seconds: (performance.now() - killedAt) / 1000, next: successor };
}

/** Unique events to partition 0 at `eps`, until stopped. */
function steadyLoad(
  producer: Producer,
  topic: string,
  encoder: CdpEventEncoder,
  eps: number,
  runId: string,
): { stop(): Promise<void> } {
  let stopped = false;
  let n = 0;
  const running = (async () => {
    while (!stopped) {
      const batch = generateEvents({
        count: Math.max(1, Math.round(eps / 10)),
        contacts: 1000,
        prefix: `${runId}-load${n++}`,
      });
      await producer.send({
        topic,
        acks: -1,
        messages: batch.map((e) => ({ key: e.contactId, value: encoder.encode(e) })),
      });
      await sleep(100);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await running;
    },
  };
}

async function fillDedup(
  context: StateContext,
  producer: Producer,
  dedupTopic: string,
  input: string,
  route: string,
  count: number,
): Promise<void> {
  const registry = new SchemaRegistry({ host: context.stack.registry.url });
  const id = await registry.getLatestSchemaId(`${dedupTopic}-value`);
  const schema = await registry.getSchema(id);
  const encode = createWireEncoder(schema as unknown as avro.Type, id);
  const createdAt = Date.now();
  // Under the broker's 1 MiB message.max.bytes: one send is one record batch of the partition.
  const chunk = 4000;
  for (let i = 0; i < count; i += chunk * 4) {
    // Several requests in flight: the broker appends some while the next are encoded.
    await Promise.all(
      [0, 1, 2, 3].map((n) => {
        const from = i + n * chunk;
        const messages = [];
        for (let k = from; k < Math.min(count, from + chunk); k++) {
          const key = `${route}:fill-${k}`;
          messages.push({
            key: dedupRecordKey(input, key),
            value: encode({
              idempotencyKey: key,
              outcome: 'ACCEPTED',
              createdAt,
              sourceTopic: input,
              sourcePartition: 0,
              sourceOffset: k,
              attempt: 0,
            }),
          });
        }
        return messages.length === 0
          ? Promise.resolve()
          : producer.send({
              topic: dedupTopic,
              acks: -1,
              messages: messages.map((m) => ({ ...m, partition: 0 })),
            });
      }),
    );
  }
}

/** The dedup topic's records (every partition's log size) and its bytes on the broker's disk. */
async function dedupTopicSize(
  admin: Admin,
  stackDir: string,
  topic: string,
): Promise<{ records: number; bytes: number }> {
  const offsets = await admin.fetchTopicOffsets(topic);
  const records = offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  // The topic's partition folders (`<topic>-<n>`) under the broker's log.dirs, wherever the stack keeps them.
  const isPartitionFolder = (name: string): boolean =>
    name.startsWith(`${topic}-`) && /^\d+$/.test(name.slice(topic.length + 1));
  const bytes = readdirSync(stackDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isDirectory() && isPartitionFolder(entry.name))
    .reduce((sum, entry) => sum + folderBytes(join(entry.parentPath, entry.name)), 0);
  return { records, bytes };
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(path) : statSync(path).size;
  }
  return total;
}

interface RestoredLine {
  entries: number;
  durationMs: number;
  from: string;
}

function restoredLines(connector: BenchConnector): RestoredLine[] {
  try {
    return readFileSync(connector.logFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('dedup partition restored'))
      .map((l) => JSON.parse(l) as RestoredLine);
  } catch {
    return [];
  }
}

/** The connector's first "dedup partition restored" log line after the `seen` ones, waited for. */
async function waitRestored(connector: BenchConnector, maxMs: number, seen = 0): Promise<RestoredLine> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const line = restoredLines(connector)[seen];
    if (line) return line;
    if (connector.child.exitCode !== null)
      throw new Error(`${connector.logFile}: exited before its claim was restored`);
    if (Date.now() > deadline) throw new Error(`${connector.logFile}: no claim restored in ${maxMs} ms`);
    await sleep(100);
  }
}

async function metricsText(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

async function assigned(port: number): Promise<number> {
  const m = /^cxone_connector_assigned_partitions (\S+)$/m.exec(await metricsText(port));
  return Number(m?.[1] ?? 0);
}

async function dedupEntries(port: number): Promise<number> {
  const text = await metricsText(port);
  let total = 0;
  for (const m of text.matchAll(/^cxone_connector_dedup_entries(?:\{[^}]*\})? (\S+)$/gm))
    total += Number(m[1]);
  return total;
}

async function resultOutcomes(
  kafka: Kafka,
  registryUrl: string,
  topic: string,
): Promise<Map<string, number>> {
  const registry = new SchemaRegistry({ host: registryUrl });
  const records = await readTopicToEnd(kafka, topic, 120_000);
  const counts = new Map<string, number>();
  for (const r of records) {
    if (!r.value) continue;
    const { outcome } = (await registry.decode(r.value)) as { outcome: string };
    counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  }
  return counts;
}
