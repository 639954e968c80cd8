/**
 * KIP-345 static membership as added to our kafkajs fork (vendor/kafkajs), on
 * the real broker. A member with a group instance id that goes away without a
 * word (a crash: no LeaveGroup; a static member's shutdown sends none either)
 * keeps its place: the next process under that id gets the same partitions
 * back, and the other members see no rebalance at all. A second live process
 * under the same id fences the first (FENCED_INSTANCE_ID), which is how the
 * connector tells "someone else has my name" from an ordinary rebalance.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Admin, type Consumer } from 'kafkajs';
import { kafkaErrorType } from '../../src/contracts/kafka-access.ts';
import { createTopics } from '../../src/kafka/create-topics.ts';
import { testStack } from '../support/stack-env.ts';
import { waitFor } from '../support/wait-for.ts';

const stack = testStack();

interface Join {
  generationId: number;
  groupInstanceId: string | null;
  partitions: number[];
}

describe('static group membership (KIP-345) on the real broker', { timeout: 80_000 }, () => {
  const id = randomUUID().slice(0, 8);
  const topic = `sm-${id}`;
  const groupId = `sm-${id}`;
  const kafka = new Kafka({ clientId: `sm-${id}`, brokers: [stack.bootstrap], logLevel: logLevel.NOTHING });
  let admin: Admin;
  const consumers: Consumer[] = [];

  before(async () => {
    admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [{ topic, numPartitions: 4 }]);
  });
  after(async () => {
    await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  });

  interface MemberOptions {
    /** Errors it stopped on. */
    crashes?: Error[];
    leaveGroupOnShutdown?: boolean;
    group?: string;
    /** No retries, so a refusal such as FENCED_INSTANCE_ID stops it at once. */
    failFast?: boolean;
  }

  /**
   * A member under `instance`; `joins` gets each assignment. The session is long (45 s), so
   * anything that happens well before it is not a timeout.
   */
  async function member(
    instance: string | null,
    joins: Join[],
    { crashes = [], leaveGroupOnShutdown = false, group = groupId, failFast = true }: MemberOptions = {},
  ): Promise<Consumer> {
    const consumer = kafka.consumer({
      groupId: group,
      groupInstanceId: instance,
      leaveGroupOnShutdown,
      sessionTimeout: 45_000,
      rebalanceTimeout: 20_000,
      heartbeatInterval: 300,
      ...(failFast ? { retry: { retries: 0 } } : {}),
    });
    consumers.push(consumer);
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      const { generationId, groupInstanceId, memberAssignment } = event.payload;
      joins.push({ generationId, groupInstanceId, partitions: [...(memberAssignment[topic] ?? [])].sort() });
    });
    consumer.on(consumer.events.CRASH, (event) => crashes.push(event.payload.error));
    await consumer.connect();
    await consumer.subscribe({ topics: [topic] });
    await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
    return consumer;
  }

  const last = (joins: Join[]): Join => {
    const join = joins.at(-1);
    assert.ok(join, 'joined');
    return join;
  };

  /** pod-1's assignments and the errors it stopped on, across both tests. */
  const bJoins: Join[] = [];
  const bCrashes: Error[] = [];

  it('a restarted member takes its partitions back, and nobody else rebalances', async () => {
    const aJoins: Join[] = [];
    const a = await member('pod-0', aJoins);
    await member('pod-1', bJoins, { crashes: bCrashes });
    // Both in one generation with two partitions each.
    await waitFor('both members in one generation with two partitions each', async () => {
      const [ja, jb] = [aJoins.at(-1), bJoins.at(-1)];
      const stable =
        ja &&
        jb &&
        ja.generationId === jb.generationId &&
        ja.partitions.length === 2 &&
        jb.partitions.length === 2;
      return stable ? true : undefined;
    });
    const before = { a: last(aJoins), bJoinCount: bJoins.length };
    assert.equal(before.a.groupInstanceId, 'pod-0');

    // pod-0 goes away without a LeaveGroup: to the broker this is a crash.
    await a.disconnect();
    const restartedJoins: Join[] = [];
    const started = Date.now();
    await member('pod-0', restartedJoins);
    await waitFor(
      'the restarted pod-0 joined',
      async () => (restartedJoins.length > 0 ? true : undefined),
      30_000,
    );
    const rejoinMs = Date.now() - started;

    assert.deepEqual(last(restartedJoins).partitions, before.a.partitions, 'the same partitions back');
    // Inside the 45 s session: the broker did not wait for the old member to expire (a dynamic
    // member's partitions would have stayed with the dead member until then).
    assert.ok(rejoinMs < 30_000, `rejoined after ${rejoinMs} ms`);
    // pod-1 was never asked to rebalance: it joined no new generation and kept its partitions.
    await sleep(2_000);
    assert.equal(bJoins.length, before.bJoinCount, 'pod-1 saw no rebalance');
    assert.deepEqual(last(bJoins).partitions.length, 2);
    assert.deepEqual(bCrashes, []);
  });

  it('a static member that leaves on shutdown hands its partitions over at once', async () => {
    const leaverJoins: Join[] = [];
    const stayerJoins: Join[] = [];
    const otherGroup = `${groupId}-leave`;
    const leaver = await member('leaver', leaverJoins, {
      group: otherGroup,
      leaveGroupOnShutdown: true,
      failFast: false,
    });
    await member('stayer', stayerJoins, { group: otherGroup, failFast: false });
    await waitFor('two members with two partitions each', async () =>
      leaverJoins.at(-1)?.partitions.length === 2 && stayerJoins.at(-1)?.partitions.length === 2
        ? true
        : undefined,
    );
    await leaver.disconnect();
    // Long before the 45 s session: the LeaveGroup named the instance and the broker removed it.
    await waitFor(
      'the stayer has all four partitions',
      async () => (stayerJoins.at(-1)?.partitions.length === 4 ? true : undefined),
      25_000,
    );
    await admin.deleteGroups([otherGroup]).catch(() => undefined);
  });

  it('a second live process under the same instance id fences the first (FENCED_INSTANCE_ID)', async () => {
    const intruderJoins: Join[] = [];
    await member('pod-1', intruderJoins);
    await waitFor(
      'the second pod-1 joined',
      async () => (intruderJoins.length > 0 ? true : undefined),
      30_000,
    );
    assert.deepEqual(last(intruderJoins).partitions, last(bJoins).partitions, "it took pod-1's partitions");
    // The first pod-1's next heartbeat is refused, and it stops with the broker's reason.
    const fenced = await waitFor(
      'the first pod-1 stopped',
      async () => bCrashes.find((e) => kafkaErrorType(e) === 'FENCED_INSTANCE_ID'),
      20_000,
    );
    assert.equal(kafkaErrorType(fenced), 'FENCED_INSTANCE_ID');
  });
});
