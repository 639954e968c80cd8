/**
 * The one way topics are created: by the connector, `dlq replay`, the demo,
 * the stack scripts, the benchmarks and the tests.
 *
 * A broker answers CreateTopics before the new partitions are usable. For a
 * moment after, a broker's Metadata says UNKNOWN_TOPIC_OR_PARTITION (it has
 * not applied the topic yet) or names a leader that answers ListOffsets with
 * NOT_LEADER_FOR_PARTITION (it has not loaded the partition yet). kafkajs's
 * `waitForLeaders` waits on one Metadata answer only and gives up on the
 * first UNKNOWN_TOPIC_OR_PARTITION; both races broke CI. So this waits until
 * Metadata names a leader for every partition and each leader answers
 * ListOffsets for it, several times in a row, because each Metadata request
 * goes to a broker kafkajs picks at random and every broker must know the
 * topic before any client is handed it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, ITopicConfig } from 'kafkajs';
import { isAuthorizationFailure, kafkaErrorType } from '../contracts/kafka-access.ts';
import { KafkaOutputError } from '../errors.ts';

export interface CreateTopicsOptions {
  /** How long the new topics may take to become usable. */
  readyTimeoutMs?: number;
  /**
   * false: return once created, and leave the wait to the caller's own `awaitTopicsReady` (a
   * caller that must first tell which topic its principal may not see: the wait would fail on it).
   */
  awaitReady?: boolean;
}

/** Errors a broker answers while a new topic is being applied: asking again is the cure. */
const SETTLING = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
  'REPLICA_NOT_AVAILABLE',
]);

/**
 * Creates the topics that do not exist yet (another client creating one at the same time is
 * fine) and returns once every partition of every named topic is usable. Returns the names it
 * created.
 */
export async function createTopics(
  admin: Admin,
  topics: readonly ITopicConfig[],
  options: CreateTopicsOptions = {},
): Promise<string[]> {
  if (topics.length === 0) return [];
  const existing = new Set(await admin.listTopics());
  const creations = topics.filter((t) => !existing.has(t.topic));
  if (creations.length > 0) {
    await admin.createTopics({ waitForLeaders: false, topics: [...creations] }).catch((error: unknown) => {
      // Two instances starting together both try: the loser's "already exists" is fine.
      if (!alreadyExists(error)) throw error;
    });
  }
  if (options.awaitReady !== false) {
    await awaitTopicsReady(
      admin,
      topics.map((t) => t.topic),
      options,
    );
  }
  return creations.map((t) => t.topic);
}

/** Returns once every partition of `topics` has a leader that answers Metadata and ListOffsets for it. */
export async function awaitTopicsReady(
  admin: Admin,
  topics: readonly string[],
  { readyTimeoutMs = 30_000 }: CreateTopicsOptions = {},
): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs;
  const brokers = (await admin.describeCluster()).brokers.length;
  // Each round's Metadata comes from a random broker: enough clean rounds in a row that every broker has most likely answered.
  const roundsNeeded = Math.max(2, 2 * brokers);
  let clean = 0;
  let lastProblem = 'no answer yet';
  for (;;) {
    const problem = await readinessProblem(admin, topics);
    if (problem === undefined) {
      clean += 1;
      if (clean >= roundsNeeded) return;
      continue;
    }
    clean = 0;
    lastProblem = problem;
    if (Date.now() > deadline) {
      throw new KafkaOutputError(
        'KAFKA_ERROR',
        `topic(s) ${topics.join(', ')} created but not usable after ${readyTimeoutMs} ms: ${lastProblem}; check the brokers' health (kafka-topics.sh --describe)`,
      );
    }
    await sleep(100);
  }
}

/** Why the topics are not usable yet, or undefined when they are. Authorization failures are thrown: waiting will not change them. */
async function readinessProblem(admin: Admin, topics: readonly string[]): Promise<string | undefined> {
  try {
    const { topics: found } = await admin.fetchTopicMetadata({ topics: [...topics] });
    for (const name of topics) {
      const topic = found.find((t) => t.name === name);
      if (!topic || topic.partitions.length === 0) return `${name} has no partitions in the metadata yet`;
      // 5 LEADER_NOT_AVAILABLE; 9 REPLICA_NOT_AVAILABLE is not waited on: a follower down for good would hold it forever.
      const leaderless = topic.partitions.find((p) => p.leader < 0 || p.partitionErrorCode === 5);
      if (leaderless) return `${name} partition ${leaderless.partitionId} has no leader yet`;
    }
    for (const name of topics) {
      // ListOffsets goes to each partition's leader: the proof that the leader has loaded it.
      await admin.fetchTopicOffsets(name);
    }
    return undefined;
  } catch (error) {
    if (isAuthorizationFailure(error)) throw error;
    const type = kafkaErrorType(error);
    if (type !== undefined && SETTLING.has(type)) return type;
    if ((error as { retriable?: boolean }).retriable === true) return (error as Error).message;
    throw error;
  }
}

function alreadyExists(error: unknown): boolean {
  if (kafkaErrorType(error) === 'TOPIC_ALREADY_EXISTS') return true;
  // kafkajs's aggregate "Topic creation errors": fine when every one of them is "already exists".
  const errors = (error as { errors?: { type?: string }[] }).errors;
  return Array.isArray(errors) && errors.length > 0 && errors.every((e) => e.type === 'TOPIC_ALREADY_EXISTS');
}
