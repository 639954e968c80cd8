/**
 * What one commit holds, and how it becomes the records of a Kafka
 * transaction: shared by both fencing modes (transactional-committer.ts, one
 * producer per input partition; group-committer.ts, one per instance).
 */
import { Partitioners, type Kafka, type Message, type Producer, type TopicMessages } from 'kafkajs';
import type { OutputMessage, RecordOutputs } from '../contracts/records.ts';
import { KafkaOutputError } from '../errors.ts';

export interface OutputTopics {
  results: string;
  audit: string;
  dlq: string;
  dedup: string;
  auditCheckpoints: string;
}

export interface PartitionCommit {
  topic: string;
  partition: number;
  outputs: readonly RecordOutputs[];
  /** Signed audit checkpoints (output/audit-sealing.ts), keyed by chain. */
  checkpoints?: readonly OutputMessage[];
  nextOffset: string;
  /** Records done past `nextOffset` (src/source/done-offsets.ts), committed with the offset. */
  offsetMetadata: string | null;
  /** The group generation in which this instance owns the partition (group fencing refuses others). */
  generationId?: number | undefined;
}

export interface TransactionalCommitter {
  /**
   * Before a claimed partition's first commit. Partition fencing: creates (or re-creates) the
   * partition's producer, which fences any previous owner. Group fencing: makes sure the
   * instance's producer is ready (the broker fences by generation).
   */
  claim(topic: string, partition: number): Promise<void>;
  commit(commit: PartitionCommit, faultPoint?: (name: string) => void): Promise<void>;
  /** The partition is no longer this worker's (a failure, or revoked): its producer, or its queued commits, go. */
  release(topic: string, partition: number): Promise<void>;
  /** The consumer joined a generation (GROUP_JOIN): what group fencing sends with the offsets. */
  setMembership?(membership: GroupMembership): void;
  close(): Promise<void>;
}

export interface GroupMembership {
  generationId: number;
  memberId: string;
  /** The static member's instance id (kafka.instanceId with kafka.staticMembership), else null. */
  groupInstanceId: string | null;
}

const FENCED = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'INVALID_PRODUCER_ID_MAPPING']);

/**
 * Fenced because a producer with the same transactional id initialised after this one (not because
 * the broker forgot an idle id, INVALID_PRODUCER_ID_MAPPING).
 */
const TAKEN_OVER = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);

/** Whether the error, or one of its causes, is a Kafka error of one of `types`. */
function hasKafkaErrorType(error: unknown, types: ReadonlySet<string>): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if (types.has((e as { type?: string }).type ?? '')) return true;
  }
  return false;
}

export const isFencedError = (error: unknown): boolean => hasKafkaErrorType(error, FENCED);

export const isTakenOverError = (error: unknown): boolean => hasKafkaErrorType(error, TAKEN_OVER);

/**
 * A transactional producer, connected, with its InitProducerId done: kafkajs sends it with the
 * transactional id only when the first transaction begins, so beginning (and dropping) an empty
 * one does it now. That bumps the epoch (fencing a previous holder of the id) and waits out a
 * transaction the previous holder left committing.
 */
export function connectTransactionalProducer(
  kafka: Kafka,
  transactionalId: string,
  transactionTimeoutMs: number,
): Promise<Producer> {
  const producer = kafka.producer({
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: transactionTimeoutMs,
    // Kafka's own default (murmur2 of the key, as Java's producer); named so that kafkajs does not
    // print its v2 partitioner notice at every start.
    createPartitioner: Partitioners.DefaultPartitioner,
    // The next transaction starts as soon as the last one commits, while the broker is still
    // writing its markers (20-40 ms when idle, more under load): until then it answers
    // CONCURRENT_TRANSACTIONS. kafkajs's default first retry waits 300 ms, which made every
    // commit cost 300 ms. 20 ms growing by 1.5 catches the end of the markers soon enough;
    // faster retries (10 ms, x1.2) loaded the broker with retries and cost a quarter of the
    // throughput in the benchmark. Unlimited, as kafkajs requires for idempotence.
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 20, multiplier: 1.5, maxRetryTime: 5_000 },
  });
  return producer.connect().then(async () => {
    const empty = await producer.transaction();
    await empty.abort();
    return producer;
  });
}

/** Partition counts of the results, audit and DLQ topics; absent: partition by key. */
export type OutputPartitions = Record<'results' | 'audit' | 'dlq', number>;

/**
 * The records of one transaction, one entry per topic: the commits of one input partition
 * (partition fencing) or of every partition ready at once (group fencing).
 */
export function collectTopicMessages(
  topics: OutputTopics,
  commits: readonly Pick<PartitionCommit, 'outputs' | 'partition' | 'checkpoints'>[],
  outputPartitions?: OutputPartitions,
): TopicMessages[] {
  const results: TopicMessages = { topic: topics.results, messages: [] };
  const audit: TopicMessages = { topic: topics.audit, messages: [] };
  const dlq: TopicMessages = { topic: topics.dlq, messages: [] };
  // The dedup partition is always the input's: its next owner restores exactly this one.
  const dedup: TopicMessages = { topic: topics.dedup, messages: [] };
  const checkpoints: TopicMessages = { topic: topics.auditCheckpoints, messages: [] };
  const append = (into: TopicMessages, list: readonly Message[], at: number | undefined): void => {
    if (at === undefined) into.messages.push(...list);
    else for (const m of list) into.messages.push({ ...m, partition: at });
  };
  for (const { outputs, partition, checkpoints: signed } of commits) {
    // Keyed by chain: one chain's checkpoints stay in order in one partition.
    if (signed) checkpoints.messages.push(...signed);
    // Co-partitioned with the input: input partition p writes to output partition p (modulo its count).
    const target = (name: keyof OutputPartitions) =>
      outputPartitions === undefined ? undefined : partition % outputPartitions[name];
    const to = { results: target('results'), audit: target('audit'), dlq: target('dlq') };
    for (const output of outputs) {
      append(results, output.results, to.results);
      append(audit, output.audit, to.audit);
      append(dlq, output.dlq, to.dlq);
      append(dedup, output.dedup, partition);
    }
  }
  return [results, audit, dlq, dedup, checkpoints].filter((t) => t.messages.length > 0);
}

/**
 * INSTANCE_ID_IN_USE: a newer live process took this one's name, found through `how` (its
 * transactional producer fenced, or its static group membership).
 */
export function instanceIdInUse(how: string, cause: unknown): KafkaOutputError {
  return new KafkaOutputError(
    'INSTANCE_ID_IN_USE',
    `another process ${how} and fenced this one: two live instances have the same kafka.instanceId; give each its own (the chart uses the pod name)`,
    { cause, retryable: false },
  );
}
