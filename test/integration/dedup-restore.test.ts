/**
 * The dedup restore on the real broker: a partition's history, written in
 * transactions like the connector writes it, is read back in full, also when
 * restores of the same partition overlap (a rebalance while claiming) or one
 * is abandoned half-way. A restore that finished with entries missing would
 * let a repeated event through as a second effect. Entries are kept per input
 * topic-partition: records of the old key format (no topic) are read as the
 * topic their value names.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { pino } from 'pino';
import { createDedupRestorer, type DedupRestorer } from '../../src/dedup/dedup-restorer.ts';
import { createDedupStore, type DedupStore } from '../../src/dedup/dedup-store.ts';
import { createDedupEntryReader } from '../../src/dedup/dedup-entry-reader.ts';
import { dedupRecordKey } from '../../src/contracts/dedup-key.ts';
import type { DedupEntryRecord } from '../../src/output/output-records.ts';
import { registerOutputSchema, type OutputEncoder } from '../../src/output/output-schemas.ts';
import { testStack } from '../support/stack-env.ts';
import { createTopics } from '../../src/kafka/create-topics.ts';

const stack = testStack();
const ENTRIES = 40;

/** A compacted dedup topic, its entry schema registered, and a transactional producer writing to it like the connector. */
async function dedupTopicWithWriter(
  kafka: Kafka,
  admin: Admin,
  registry: SchemaRegistry,
  topic: string,
  numPartitions: number,
): Promise<{ encoder: OutputEncoder<DedupEntryRecord>; producer: Producer }> {
  await createTopics(admin, [
    { topic, numPartitions, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
  ]);
  const encoder = await registerOutputSchema<DedupEntryRecord>(
    { registry, endpoint: { url: stack.registryUrl, requestTimeoutMs: 10_000 }, autoRegister: true },
    'cxone-dedup-entry',
    topic,
    'TopicNameStrategy',
  );
  const producer = kafka.producer({
    transactionalId: `${topic}-writer`,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  return { encoder, producer };
}

/** A dedup entry of `sourceTopic`'s partition 0, as the connector writes it. */
function entryMessage(
  encoder: OutputEncoder<DedupEntryRecord>,
  sourceTopic: string,
  key: string,
  outcome: DedupEntryRecord['outcome'],
) {
  return {
    key: dedupRecordKey(sourceTopic, key),
    partition: 0,
    value: encoder.encode({
      idempotencyKey: key,
      outcome,
      attempt: 0,
      createdAt: Date.now(),
      sourceTopic,
      sourcePartition: 0,
      sourceOffset: 0,
    }),
  };
}

/** The restorer as the connector runs it, on `topic`, started. */
async function startRestorer(o: {
  kafka: Kafka;
  admin: Admin;
  registry: SchemaRegistry;
  topic: string;
  store: DedupStore;
  onRestoreRead?: (records: number) => void;
}): Promise<DedupRestorer> {
  const restorer = createDedupRestorer({
    kafka: o.kafka,
    admin: o.admin,
    topic: o.topic,
    groupPrefix: o.topic,
    store: o.store,
    entries: createDedupEntryReader(o.registry),
    logger: pino({ level: 'silent' }),
    timeoutMs: 20_000,
    inputTopics: 1,
    ...(o.onRestoreRead ? { onRestoreRead: o.onRestoreRead } : {}),
  });
  await restorer.start();
  return restorer;
}

async function cleanUp(
  restorer: DedupRestorer,
  producer: Producer,
  admin: Admin,
  topic: string,
): Promise<void> {
  await restorer.stop();
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
}

describe('dedup restore on the real broker', { timeout: 50_000 }, () => {
  const topic = `it-dedup-${Date.now().toString(36)}`;
  const kafka = new Kafka({ clientId: 'it-dedup', brokers: [stack.bootstrap], logLevel: logLevel.NOTHING });
  const registry = new SchemaRegistry({ host: stack.registryUrl });
  let admin: Admin;
  let producer: Producer;
  let encoder: OutputEncoder<DedupEntryRecord>;
  let store: DedupStore;
  let restorer: DedupRestorer;
  let restoreReads = 0;

  before(async () => {
    admin = kafka.admin();
    await admin.connect();
    ({ encoder, producer } = await dedupTopicWithWriter(kafka, admin, registry, topic, 2));
    // Like the connector: small transactions, each ending with a commit marker; one key later tombstoned.
    for (let i = 0; i < ENTRIES; i += 5) {
      const transaction = await producer.transaction();
      await transaction.send({
        topic,
        messages: Array.from({ length: 5 }, (_, j) => ({
          key: `route:e${i + j}`,
          partition: 0,
          value: encoder.encode({
            idempotencyKey: `route:e${i + j}`,
            outcome: 'ACCEPTED',
            attempt: 0,
            createdAt: Date.now(),
            sourceTopic: 'in',
            sourcePartition: 0,
            sourceOffset: i + j,
          }),
        })),
      });
      await transaction.commit();
    }
    const transaction = await producer.transaction();
    await transaction.send({ topic, messages: [{ key: 'route:e0', partition: 0, value: null }] });
    await transaction.commit();
    store = createDedupStore({ maxEntries: 10_000, windowMs: 7 * 86_400_000, now: Date.now });
    restorer = await startRestorer({
      kafka,
      admin,
      registry,
      topic,
      store,
      onRestoreRead: (records) => (restoreReads += records),
    });
  });

  after(() => cleanUp(restorer, producer, admin, topic));

  const expectFullHistory = () => {
    assert.equal(store.size(), ENTRIES - 1, 'every entry but the tombstoned one');
    assert.equal(
      store.get({ topic: 'in', partition: 0 }, 'route:e0'),
      undefined,
      'the tombstone was applied',
    );
    assert.equal(store.get({ topic: 'in', partition: 0 }, `route:e${ENTRIES - 1}`)?.outcome, 'ACCEPTED');
  };

  it('reads a partition written in transactions to its end', async () => {
    await restorer.restore('in', 0, new AbortController().signal);
    expectFullHistory();
    assert.equal(restoreReads, ENTRIES + 1, 'every record read counts toward the restore volume');
    await restorer.restore('in', 1, new AbortController().signal);
    assert.equal(store.size(), ENTRIES - 1, 'the empty partition adds nothing');
  });

  it('overlapping restores of one partition both end with the whole history', async () => {
    for (let round = 0; round < 5; round++) {
      const first = restorer.restore('in', 0, new AbortController().signal);
      const second = restorer.restore('in', 0, new AbortController().signal);
      await Promise.all([first, second]);
      expectFullHistory();
    }
  });

  it('a restore abandoned half-way leaves nothing that spoils the next one', async () => {
    for (let round = 0; round < 5; round++) {
      const controller = new AbortController();
      const abandoned = restorer.restore('in', 0, controller.signal).catch((error: unknown) => error);
      setTimeout(() => controller.abort(), round * 3);
      await restorer.restore('in', 0, new AbortController().signal);
      await abandoned;
      expectFullHistory();
    }
  });

  it('a released partition is forgotten and comes back whole', async () => {
    restorer.release('in', 0);
    assert.equal(store.size(), 0);
    await restorer.restore('in', 0, new AbortController().signal);
    expectFullHistory();
  });
});

describe('dedup state per input topic-partition, on the real broker', { timeout: 45_000 }, () => {
  const topic = `it-dedup-multi-${Date.now().toString(36)}`;
  const kafka = new Kafka({
    clientId: 'it-dedup-multi',
    brokers: [stack.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const registry = new SchemaRegistry({ host: stack.registryUrl });
  let admin: Admin;
  let producer: Producer;
  let store: DedupStore;
  let restorer: DedupRestorer;
  const a = { topic: 'cdp.a', partition: 0 };
  const b = { topic: 'cdp.b', partition: 0 };

  before(async () => {
    admin = kafka.admin();
    await admin.connect();
    const writer = await dedupTopicWithWriter(kafka, admin, registry, topic, 1);
    const { encoder } = writer;
    producer = writer.producer;
    const entry = (sourceTopic: string, key: string, outcome: DedupEntryRecord['outcome']) =>
      entryMessage(encoder, sourceTopic, key, outcome);
    const transaction = await producer.transaction();
    // The same idempotency key from both topics: compaction keeps both, each restores its own.
    await transaction.send({
      topic,
      messages: [
        entry(a.topic, 'welcome:e1', 'ACCEPTED'),
        entry(b.topic, 'welcome:e1', 'CONTACT_SUPPRESSED'),
        entry(a.topic, 'welcome:e2', 'ACCEPTED'),
        { key: dedupRecordKey(a.topic, 'welcome:e2'), partition: 0, value: null },
        entry(b.topic, 'welcome:e3', 'ACCEPTED'),
      ],
    });
    await transaction.commit();
    store = createDedupStore({ maxEntries: 10_000, windowMs: 7 * 86_400_000, now: Date.now });
    restorer = await startRestorer({ kafka, admin, registry, topic, store });
  });

  after(() => cleanUp(restorer, producer, admin, topic));

  it("a claim of one topic restores its own entries and never touches another topic's live ones", async () => {
    // cdp.b's partition 0 is live here: its worker knows an outcome the topic has not been told yet.
    store.set(b, 'welcome:live', { createdAtMs: Date.now(), outcome: 'ACCEPTED' });
    await restorer.restore(a.topic, 0, new AbortController().signal);
    assert.equal(store.get(a, 'welcome:e1')?.outcome, 'ACCEPTED');
    assert.equal(store.get(a, 'welcome:e2'), undefined, "a's tombstone applied to a");
    assert.equal(store.get(a, 'welcome:e3'), undefined, "b's entry is not a's");
    assert.equal(store.get(b, 'welcome:live')?.outcome, 'ACCEPTED', "b's live entry survives a's claim");
    assert.equal(store.get(b, 'welcome:e1'), undefined, 'a live scope is not refilled from the topic');

    await restorer.restore(b.topic, 0, new AbortController().signal);
    assert.equal(store.get(b, 'welcome:e1')?.outcome, 'CONTACT_SUPPRESSED', 'the same key, its own outcome');
    assert.equal(store.get(b, 'welcome:e3')?.outcome, 'ACCEPTED');
    assert.equal(store.get(a, 'welcome:e1')?.outcome, 'ACCEPTED', "b's claim left a alone");

    restorer.release(a.topic, 0);
    assert.equal(store.get(a, 'welcome:e1'), undefined);
    assert.equal(store.get(b, 'welcome:e3')?.outcome, 'ACCEPTED', 'releasing a keeps b');
  });
});

describe(
  'a dead owner left a transaction open on the dedup partition (group fencing)',
  { timeout: 50_000 },
  () => {
    const topic = `it-dedup-open-${Date.now().toString(36)}`;
    const kafka = new Kafka({
      clientId: 'it-dedup-open',
      brokers: [stack.bootstrap],
      logLevel: logLevel.NOTHING,
    });
    const registry = new SchemaRegistry({ host: stack.registryUrl });
    const scope = { topic: 'in', partition: 0 };
    let admin: Admin;
    let producer: Producer;
    let store: DedupStore;
    let restorer: DedupRestorer;

    before(async () => {
      admin = kafka.admin();
      await admin.connect();
      const writer = await dedupTopicWithWriter(kafka, admin, registry, topic, 1);
      producer = writer.producer;
      const entry = (key: string) => entryMessage(writer.encoder, scope.topic, key, 'ACCEPTED');
      // The dead owner: a transaction written and never ended; only its timeout will abort it.
      const dead = kafka.producer({
        transactionalId: `${topic}-dead`,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: 3_000,
      });
      await dead.connect();
      const open = await dead.transaction();
      await open.send({ topic, messages: [entry('welcome:never')] });
      await dead.disconnect();
      // The next owner commits after it: its entry sits past the open transaction, above the last stable offset.
      const later = await producer.transaction();
      await later.send({ topic, messages: [entry('welcome:after')] });
      await later.commit();
      store = createDedupStore({ maxEntries: 10_000, windowMs: 7 * 86_400_000, now: Date.now });
      restorer = await startRestorer({ kafka, admin, registry, topic, store });
    });

    after(() => cleanUp(restorer, producer, admin, topic));

    it('to the last stable offset, a restore misses what was committed after it; through open transactions, it waits and has it', async () => {
      await restorer.restore(scope.topic, 0, new AbortController().signal);
      assert.equal(store.get(scope, 'welcome:after'), undefined, 'the pinned last stable offset hides it');
      const started = Date.now();
      await restorer.restore(scope.topic, 0, new AbortController().signal, { throughOpenTransactions: true });
      assert.equal(store.get(scope, 'welcome:after')?.outcome, 'ACCEPTED');
      assert.equal(store.get(scope, 'welcome:never'), undefined, "the dead owner's entry was aborted");
      assert.ok(Date.now() - started > 500, 'it waited for the broker to abort the open transaction');
    });
  },
);
