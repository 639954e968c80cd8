/**
 * The kafkajs consumer of the input topics, and how it is wired to the
 * partition supervisor: read_committed, offsets never committed by kafkajs
 * itself, and a handler that only hands batches over.
 */
import type { Consumer, Kafka } from 'kafkajs';
import type { GroupMembership } from '../output/commit-contents.ts';
import type { PartitionSupervisor } from './partition-supervisor.ts';

/** The `kafka` settings of the input consumer, under their config names. */
export interface InputConsumerOptions {
  groupId: string;
  inputTopics: readonly string[];
  fromBeginning: boolean;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** When partitions added to an input topic are seen (a rebalance then assigns them). */
  metadataMaxAgeMs: number;
  /** One fetch response at most; what is buffered can exceed the processing bounds by this. */
  fetchMaxBytes: number;
  fetchMaxBytesPerPartition: number;
  /**
   * KIP-345 static membership: kafka.instanceId when kafka.staticMembership is on. A restart under
   * the same name takes its partitions back without a rebalance or waiting for its old session.
   */
  groupInstanceId: string | undefined;
  /** A static member leaves the group on shutdown (the fork makes a dynamic one always leave). */
  leaveGroupOnShutdown: boolean;
}

/** kafkajs waits this long on an empty fetch; with every partition paused it is also the heartbeat cadence. */
const FETCH_MAX_WAIT_MS = 500;

export function createInputConsumer(kafka: Kafka, config: InputConsumerOptions): Consumer {
  return kafka.consumer({
    groupId: config.groupId,
    sessionTimeout: config.sessionTimeoutMs,
    heartbeatInterval: config.heartbeatIntervalMs,
    metadataMaxAge: config.metadataMaxAgeMs,
    readUncommitted: false,
    maxBytes: config.fetchMaxBytes,
    maxBytesPerPartition: config.fetchMaxBytesPerPartition,
    maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
    groupInstanceId: config.groupInstanceId ?? null,
    leaveGroupOnShutdown: config.leaveGroupOnShutdown,
  });
}

/** Joins the group and starts fetching; every new assignment goes to the supervisor first. */
export async function runInputConsumer(
  consumer: Consumer,
  config: InputConsumerOptions,
  supervisor: PartitionSupervisor,
  /** Every generation joined, before the supervisor hears of its assignment (group fencing sends it). */
  onJoin?: (membership: GroupMembership) => void,
): Promise<void> {
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    // generationId and groupInstanceId: added by our kafkajs fork (vendor/kafkajs, consumerGroup.js).
    const { generationId, memberId, groupInstanceId } = event.payload;
    onJoin?.({ generationId, memberId, groupInstanceId });
    supervisor.onAssignment(event.payload.memberAssignment, generationId);
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [...config.inputTopics], fromBeginning: config.fromBeginning });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    // The handler only hands records over; it never waits for them.
    partitionsConsumedConcurrently: 1,
    eachBatch: (payload) => supervisor.handleBatch(payload),
  });
}
