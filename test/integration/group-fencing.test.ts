/**
 * KIP-447 as added to our kafkajs fork (vendor/kafkajs), on the real
 * broker: TxnOffsetCommit v3 carries the consumer group's generation and
 * member, so the broker itself refuses offsets from a member of an old
 * generation (a zombie) or from no member at all; OffsetFetch v7 with
 * requireStable refuses to answer while an open transaction holds an offset
 * commit for the partition, so a new owner never starts from an offset that
 * is about to change. Then the connector itself: an instance frozen with
 * work in flight cannot commit it once the group has moved on.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import { generateEvents, produceEvents } from '../../devkit/cdp-events.ts';
import { groupLag } from '../../devkit/group-lag.ts';
import { validateConfig } from '../../src/config/load-config.ts';
import { kafkaErrorType } from '../../src/contracts/kafka-access.ts';
import { createHarness, type Harness } from '../support/connector-harness.ts';
import { startConnectorProcess, type ConnectorProcess } from '../support/connector-process.ts';
import { assertExactlyOnce } from '../support/exactly-once-check.ts';
import { simClient } from '../support/sim-client.ts';
import { testStack } from '../support/stack-env.ts';
import { waitFor } from '../support/wait-for.ts';
import { createTopics } from '../../src/kafka/create-topics.ts';

const stack = testStack();

interface Membership {
  generationId: number;
  memberId: string;
}

describe('consumer-group fencing of transactions (KIP-447) on the real broker', { timeout: 60_000 }, () => {
  const id = randomUUID().slice(0, 8);
  const topic = `gf-${id}`;
  const groupId = `gf-${id}`;
  const kafka = new Kafka({ clientId: `gf-${id}`, brokers: [stack.bootstrap], logLevel: logLevel.NOTHING });
  let admin: Admin;
  const consumers: Consumer[] = [];
  const producers: Producer[] = [];

  before(async () => {
    admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [{ topic, numPartitions: 1 }]);
    // Records for the offsets below to point at: a member that finds its committed offset past the
    // end of the log resets it.
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic, messages: Array.from({ length: 20 }, (_, i) => ({ value: String(i) })) });
    await plain.disconnect();
  });
  after(async () => {
    await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
    await Promise.all(producers.map((p) => p.disconnect().catch(() => undefined)));
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  /** A member of the group; `joins` gets its membership at every generation it joins. */
  async function member(joins: Membership[]): Promise<Consumer> {
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500 });
    consumers.push(consumer);
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      const { memberId, generationId } = event.payload as { memberId: string; generationId?: number };
      joins.push({ memberId, generationId: generationId ?? -1 });
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic] });
    // Members that commit nothing themselves: only the transactions below move the offset.
    await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
    return consumer;
  }

  async function producer(suffix: string, transactionTimeout = 60_000): Promise<Producer> {
    const p = kafka.producer({
      transactionalId: `gf-${id}-${suffix}`,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout,
      // A transaction begun while the last one's markers are written gets CONCURRENT_TRANSACTIONS.
      retry: { retries: 30, initialRetryTime: 20, multiplier: 1.5, maxRetryTime: 1000 },
    });
    producers.push(p);
    await p.connect();
    return p;
  }

  const offsets = (offset: string) => ({
    consumerGroupId: groupId,
    topics: [{ topic, partitions: [{ partition: 0, offset }] }],
  });

  async function committed(requireStable = false): Promise<string | undefined> {
    const [found] = await admin.fetchOffsets({ groupId, topics: [topic], requireStable });
    return found?.partitions.find((p) => p.partition === 0)?.offset;
  }

  /**
   * The committed offset once no transaction is settling it: a commit's offsets reach the group
   * a moment after EndTxn returns, when the coordinator writes the markers; until then a plain
   * fetch still gives the offset before, and a requireStable one UNSTABLE_OFFSET_COMMIT.
   */
  async function settled(): Promise<{ offset: string | undefined; unstable: number; waitedMs: number }> {
    const started = Date.now();
    for (let unstable = 0; ; unstable++) {
      try {
        return { offset: await committed(true), unstable, waitedMs: Date.now() - started };
      } catch (error) {
        if (kafkaErrorType(error) !== 'UNSTABLE_OFFSET_COMMIT') throw error;
        assert.ok(Date.now() - started < 60_000, 'still unstable after 60 s');
        await sleep(50);
      }
    }
  }
  const settledOffset = async () => (await settled()).offset;

  it('commits offsets with the member of the current generation, and refuses a zombie of the one before', async () => {
    const first: Membership[] = [];
    await member(first);
    const gen1 = await waitFor('the first member to join', async () => first[0]);
    assert.ok(gen1.generationId > 0, `generation ${gen1.generationId}`);
    const tx = await producer('one');

    const t1 = await tx.transaction();
    await t1.sendOffsets({ ...offsets('5'), consumerGroupMetadata: gen1 });
    await t1.commit();
    assert.equal(await settledOffset(), '5');

    // A second member joins: a new generation, in which the first member's old one is over.
    const second: Membership[] = [];
    await member(second);
    const gen2 = await waitFor('the rebalance to a new generation', async () =>
      first.find((m) => m.generationId > gen1.generationId),
    );

    const zombie = await tx.transaction();
    await assert.rejects(
      zombie.sendOffsets({ ...offsets('9'), consumerGroupMetadata: gen1 }),
      (error: unknown) => kafkaErrorType(error) === 'ILLEGAL_GENERATION',
    );
    await zombie.abort();
    assert.equal(await settledOffset(), '5', 'nothing of the zombie committed');

    const stranger = await tx.transaction();
    await assert.rejects(
      stranger.sendOffsets({
        ...offsets('9'),
        consumerGroupMetadata: { generationId: gen2.generationId, memberId: 'not-a-member' },
      }),
      (error: unknown) => kafkaErrorType(error) === 'UNKNOWN_MEMBER_ID',
    );
    await stranger.abort();

    const current = await tx.transaction();
    await current.sendOffsets({ ...offsets('6'), consumerGroupMetadata: gen2 });
    await current.commit();
    assert.equal(await settledOffset(), '6');

    // Without the group's metadata (generation -1): no generation check, as before KIP-447.
    const legacy = await tx.transaction();
    await legacy.sendOffsets(offsets('7'));
    await legacy.commit();
    assert.equal(await settledOffset(), '7');
  });

  it('requireStable: UNSTABLE_OFFSET_COMMIT while a transaction holds an offset commit, the offset once it ends', async () => {
    const tx = await producer('stable');
    const pending = await tx.transaction();
    await pending.sendOffsets(offsets('11'));
    await assert.rejects(
      committed(true),
      (error: unknown) => kafkaErrorType(error) === 'UNSTABLE_OFFSET_COMMIT',
    );
    assert.equal(
      await committed(false),
      '7',
      'without requireStable: the offset the open transaction may replace',
    );
    await pending.commit();
    assert.equal(await settledOffset(), '11');

    const aborted = await tx.transaction();
    await aborted.sendOffsets(offsets('13'));
    await assert.rejects(
      committed(true),
      (error: unknown) => kafkaErrorType(error) === 'UNSTABLE_OFFSET_COMMIT',
    );
    await aborted.abort();
    assert.equal(await settledOffset(), '11');
  });

  it('a crashed owner: requireStable waits until the broker aborts its open transaction (measured)', async (t) => {
    const timeoutMs = 5_000;
    const crashed = await producer('crashed', timeoutMs);
    const open = await crashed.transaction();
    await open.sendOffsets(offsets('17'));
    // The process dies: no abort, no EndTxn; only the transaction timeout ends it.
    await crashed.disconnect();
    const { offset, unstable, waitedMs } = await settled();
    assert.equal(offset, '11', 'the crashed transaction is aborted, not committed');
    t.diagnostic(
      `a new owner waited ${waitedMs} ms (${unstable} UNSTABLE_OFFSET_COMMIT answers) for a crashed transaction with transaction.timeout.ms ${timeoutMs}`,
    );
    assert.ok(unstable > 0, 'the open transaction held the offset');
  });

  it('a transactional producer looks its two coordinators up once, not before every request', async () => {
    const tx = await producer('coordinators');
    const requests = new Map<string, number>();
    tx.on(tx.events.REQUEST, (event) => {
      const { apiName } = event.payload as { apiName: string };
      requests.set(apiName, (requests.get(apiName) ?? 0) + 1);
    });
    for (let i = 0; i < 8; i++) {
      const t = await tx.transaction();
      await t.send({ topic, messages: [{ value: `c${i}` }] });
      await t.sendOffsets(offsets(String(12 + (i % 2))));
      await t.commit();
    }
    assert.equal(requests.get('EndTxn'), 8);
    assert.equal(requests.get('TxnOffsetCommit'), 8);
    // Unpatched: one FindCoordinator (kafkajs: GroupCoordinator) before each AddPartitionsToTxn,
    // AddOffsetsToTxn, TxnOffsetCommit and EndTxn, 32 here. Kept: the transaction coordinator's and
    // the group's, looked up once each (InitProducerId already found the first).
    assert.ok(
      (requests.get('GroupCoordinator') ?? 0) <= 2,
      `FindCoordinator sent ${requests.get('GroupCoordinator')} times for 8 transactions`,
    );
    assert.equal(await settledOffset(), '13');
  });
});

describe('a zombie connector instance under group fencing, on the real broker', { timeout: 55_000 }, () => {
  let harness: Harness;
  const processes: ConnectorProcess[] = [];
  before(async () => {
    harness = await createHarness(stack, 2);
  });
  after(async () => {
    await setSimLatency(0);
    for (const p of processes) {
      p.child.kill('SIGCONT');
      p.child.kill('SIGTERM');
    }
    await Promise.all(processes.map((p) => p.exited));
    await harness.close();
  });

  const setSimLatency = (latencyMs: number) => simClient(stack.simUrl).setFaults({ latencyMs });

  const committedAll = async (groupId: string) =>
    (await groupLag(harness.admin, groupId, harness.input)) === 0 ? true : undefined;

  it('an instance frozen past its session with calls in flight cannot commit when it thaws: its work is redone once', async (t) => {
    const config = validateConfig({
      ...harness.config,
      kafka: {
        ...harness.config.kafka,
        fencing: 'group',
        sessionTimeoutMs: 6_000,
        heartbeatIntervalMs: 1_000,
      },
    });
    const a = startConnectorProcess(config);
    processes.push(a);
    const first = generateEvents({ count: 20, contacts: 19, prefix: `zombie0-${harness.id}` });
    await produceEvents(harness.kafka, stack.registryUrl, harness.input, first);
    await waitFor(
      'the first events committed by the first instance',
      () => committedAll(config.kafka.groupId),
      90_000,
    );

    // Calls that take 3 s: the instance is frozen while they are out.
    await setSimLatency(3_000);
    const second = generateEvents({ count: 20, contacts: 19, prefix: `zombie1-${harness.id}` });
    await produceEvents(harness.kafka, stack.registryUrl, harness.input, second);
    await sleep(1_000);
    a.child.kill('SIGSTOP');
    await setSimLatency(0);
    const b = startConnectorProcess(config);
    processes.push(b);
    await waitFor(
      'the second instance to take over and commit everything',
      () => committedAll(config.kafka.groupId),
      90_000,
    );

    const frozenOutput = a.output().length;
    a.child.kill('SIGCONT');
    // Whichever it meets first: the broker refusing its offsets, the committer dropping a commit of
    // an older generation, or the consumer rejoining (which retires the stale work unsent).
    const refused = await waitFor(
      'the thawed instance to find its work refused, dropped or retired',
      async () => {
        const out = a.output().slice(frozenOutput);
        if (/generation \d+ is over/.test(out)) return 'refused by the broker (generation over)';
        if (/claimed in generation \d+, the group is at/.test(out))
          return 'dropped before sending (older generation)';
        if (out.includes('"msg":"partition assignment changed"')) return 'retired when it rejoined the group';
        return undefined;
      },
      30_000,
    );
    t.diagnostic(`the zombie's commit: ${refused}`);
    await waitFor('both instances settled, all committed', () => committedAll(config.kafka.groupId), 60_000);
    const keys = [...first, ...second].map((e) => `welcome:${e.eventId}`);
    await assertExactlyOnce(harness, simClient(stack.simUrl), keys, stack.registryUrl);
  });
});
