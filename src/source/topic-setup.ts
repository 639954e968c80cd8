/**
 * Makes sure every topic the connector needs exists with the right shape
 * before anything is consumed, creating what is missing and refusing clearly
 * what is wrong. The input topics must exist already: the connector never
 * invents the topic a CDP publishes to. The dedup topic must be compacted and
 * have at least as many partitions as any input topic, because input
 * partition p keeps its dedup entries in dedup partition p. It must also
 * delete past a retention just above dedup.windowMs: an entry older than the
 * window is forgotten by the store (dedup/dedup-store.ts), and compaction
 * alone would keep every key ever written, so the topic and every restore
 * from it would grow for ever.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs, { type Admin } from 'kafkajs';
import {
  accessDenied,
  isAuthorizationFailure,
  kafkaErrorType,
  type AclNeed,
} from '../contracts/kafka-access.ts';
import { KafkaOutputError } from '../errors.ts';
import { awaitTopicsReady, createTopics } from '../kafka/create-topics.ts';
import { MIN_OUTPUT_MESSAGE_BYTES } from '../output/message-size.ts';

export interface TopicPlan {
  inputTopics: readonly string[];
  outputTopics: readonly string[];
  dedupTopic: string;
  dedupWindowMs: number;
}

export interface TopicShape {
  /** The most partitions any input topic has. */
  partitions: number;
  /** Partition count of each output topic. */
  outputPartitions: Record<string, number>;
  /** Each output topic's max.message.bytes: what one record batch written to it may weigh. */
  maxMessageBytes: Record<string, number>;
}

export async function ensureTopics(admin: Admin, plan: TopicPlan): Promise<TopicShape> {
  const existing = new Set(await admin.listTopics());
  const missingInputs = plan.inputTopics.filter((t) => !existing.has(t));
  if (missingInputs.length > 0) {
    throw new KafkaOutputError(
      'KAFKA_ERROR',
      `input topic(s) ${missingInputs.join(', ')} are not visible: they do not exist, or the connector's Kafka principal lacks READ on Topic "${missingInputs.join('", "')}"; create them, fix kafka.inputTopics, or grant READ (docs/security.md "Kafka ACLs")`,
    );
  }
  const metadata = await denied(
    { operation: 'DESCRIBE', resource: 'Topic', name: plan.inputTopics.join(', ') },
    () => admin.fetchTopicMetadata({ topics: [...plan.inputTopics] }),
  );
  const partitions = Math.max(...metadata.topics.map((t) => t.partitions.length));

  const toCreate = plan.outputTopics.filter((t) => !existing.has(t));
  const creations = toCreate.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: -1 }));
  if (!existing.has(plan.dedupTopic)) {
    creations.push({
      topic: plan.dedupTopic,
      numPartitions: partitions,
      replicationFactor: -1,
      configEntries: dedupTopicConfig(plan.dedupWindowMs),
    } as (typeof creations)[number]);
  }
  if (creations.length > 0) {
    const names = creations.map((c) => c.topic).join(', ');
    await denied({ operation: 'CREATE', resource: 'Topic', name: names }, () =>
      createTopics(admin, creations, { awaitReady: false }),
    );
  }
  // A topic the principal may not DESCRIBE is invisible to it, as if missing; WRITE grants DESCRIBE.
  for (const topic of [...plan.outputTopics, plan.dedupTopic]) {
    await denied({ operation: 'WRITE', resource: 'Topic', name: topic }, () => settledMetadata(admin, topic));
  }
  // Every new partition has a leader that answers: a broker learns of a new topic a moment after it is created.
  if (creations.length > 0)
    await awaitTopicsReady(
      admin,
      creations.map((c) => c.topic),
    );
  await verifyDedupTopic(admin, plan.dedupTopic, partitions, plan.dedupWindowMs);
  const outputs = await denied(
    { operation: 'DESCRIBE', resource: 'Topic', name: plan.outputTopics.join(', ') },
    () => admin.fetchTopicMetadata({ topics: [...plan.outputTopics] }),
  );
  const outputPartitions = Object.fromEntries(outputs.topics.map((t) => [t.name, t.partitions.length]));
  const maxMessageBytes = await readMaxMessageBytes(admin, plan.outputTopics);
  return { partitions, outputPartitions, maxMessageBytes };
}

async function readMaxMessageBytes(admin: Admin, topics: readonly string[]): Promise<Record<string, number>> {
  const described = await denied(
    { operation: 'DESCRIBE_CONFIGS', resource: 'Topic', name: topics.join(', ') },
    () =>
      admin.describeConfigs({
        includeSynonyms: false,
        resources: topics.map((name) => ({
          type: kafkajs.ConfigResourceTypes.TOPIC,
          name,
          configNames: ['max.message.bytes'],
        })),
      }),
  );
  const limits: Record<string, number> = {};
  const tooSmall: string[] = [];
  for (const resource of described.resources) {
    const value = Number(
      resource.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue,
    );
    // Kafka's own default when a broker reports nothing usable.
    const limit = Number.isFinite(value) && value > 0 ? value : 1_048_588;
    limits[resource.resourceName] = limit;
    if (limit < MIN_OUTPUT_MESSAGE_BYTES) tooSmall.push(`${resource.resourceName} (${limit})`);
  }
  if (tooSmall.length > 0) {
    throw new KafkaOutputError(
      'KAFKA_ERROR',
      `output topic max.message.bytes too small for one audit or result record: ${tooSmall.join(', ')}; raise it to at least ${MIN_OUTPUT_MESSAGE_BYTES}`,
    );
  }
  return limits;
}

const DAY_MS = 86_400_000;
const dedupRetentionMs = (windowMs: number): number => windowMs + DAY_MS;

/**
 * The dedup topic's configuration for a window. retention.ms is a day above the window: a record
 * is deleted only with its whole segment once the segment's newest record is that old, and the day
 * absorbs clock skew between the connector and the broker. Segments roll at least daily (a seventh
 * of the window when that is shorter) so that deletion follows the window closely.
 */
export function dedupTopicConfig(windowMs: number): { name: string; value: string }[] {
  return [
    { name: 'cleanup.policy', value: 'compact,delete' },
    { name: 'retention.ms', value: String(dedupRetentionMs(windowMs)) },
    { name: 'segment.ms', value: String(Math.max(3_600_000, Math.min(DAY_MS, Math.floor(windowMs / 7)))) },
    // Tombstones (written by older versions) must outlive a restore in progress when they are compacted.
    { name: 'delete.retention.ms', value: String(Math.max(DAY_MS, Math.floor(windowMs / 10))) },
  ];
}

export async function verifyDedupTopic(
  admin: Admin,
  topic: string,
  inputPartitions: number,
  windowMs: number,
): Promise<void> {
  const metadata = await denied({ operation: 'DESCRIBE', resource: 'Topic', name: topic }, () =>
    admin.fetchTopicMetadata({ topics: [topic] }),
  );
  const count = metadata.topics[0]?.partitions.length ?? 0;
  const problems: string[] = [];
  if (count < inputPartitions) {
    problems.push(
      `it has ${count} partitions but the input has ${inputPartitions}; input partition p keeps its entries in dedup partition p (add partitions to the dedup topic first)`,
    );
  }
  const described = await denied({ operation: 'DESCRIBE_CONFIGS', resource: 'Topic', name: topic }, () =>
    admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        {
          type: kafkajs.ConfigResourceTypes.TOPIC,
          name: topic,
          configNames: ['cleanup.policy', 'retention.ms'],
        },
      ],
    }),
  );
  const entries = described.resources[0]?.configEntries ?? [];
  const policy = entries.find((e) => e.configName === 'cleanup.policy')?.configValue ?? '';
  const retention = Number(entries.find((e) => e.configName === 'retention.ms')?.configValue ?? NaN);
  const policies = policy.split(',').map((p) => p.trim());
  const wanted = dedupRetentionMs(windowMs);
  const fix = `kafka-configs.sh --bootstrap-server <broker> --alter --entity-type topics --entity-name ${topic} --add-config 'cleanup.policy=[compact,delete],retention.ms=${wanted}'`;
  if (!policies.includes('compact')) {
    problems.push(`its cleanup.policy is "${policy}", it must be "compact,delete" (fix: ${fix})`);
  } else if (!policies.includes('delete')) {
    problems.push(
      `its cleanup.policy is "${policy}": it keeps every key ever written, so it and every restore from it grow without bound; it must be "compact,delete" with retention.ms above dedup.windowMs (fix: ${fix})`,
    );
  } else if (!(retention >= windowMs)) {
    problems.push(
      `its retention.ms (${Number.isFinite(retention) ? retention : 'unset'}) is below dedup.windowMs (${windowMs}): keys inside the window would be deleted (fix: ${fix})`,
    );
  }
  if (problems.length > 0) {
    throw new KafkaOutputError('KAFKA_ERROR', `dedup topic ${topic} cannot be used: ${problems.join('; ')}`);
  }
}

/** Runs a call whose authorization failure means the principal lacks `need`. */
async function denied<T>(need: AclNeed, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isAuthorizationFailure(error)) throw accessDenied(need, error);
    throw error;
  }
}

/** A topic's metadata, asked again while a broker does not know the topic yet (for 5 s at most). */
async function settledMetadata(admin: Admin, topic: string): Promise<unknown> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      return await admin.fetchTopicMetadata({ topics: [topic] });
    } catch (error) {
      if (kafkaErrorType(error) !== 'UNKNOWN_TOPIC_OR_PARTITION' || Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}
