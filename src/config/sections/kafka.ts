/** The `kafka` section: brokers, the group, topics, fencing, instance identity and client tuning. */
import { z } from 'zod';
import { durationMs, isoTime, tlsSchema, topicName } from './common.ts';
import { kafkaSaslSchema } from './kafka-sasl.ts';

export const kafkaSchema = z
  .object({
    brokers: z.array(z.string().min(1)).min(1),
    ssl: tlsSchema.optional(),
    sasl: kafkaSaslSchema.optional(),
    /** Accept SASL without kafka.ssl (SASL_PLAINTEXT): credentials and records in clear, for a network you trust. */
    allowPlaintextSasl: z.boolean().default(false),
    clientId: z.string().min(1).default('cxone-connector'),
    groupId: z.string().min(1).default('cxone-connector'),
    inputTopics: z.array(topicName).min(1).default(['cdp.events']),
    /**
     * Where a group with no committed offset starts on a partition: `earliest` (everything the topic
     * still holds: a first deployment on an existing topic acts on its whole retention), `latest`
     * (only what arrives after the first start), or an ISO-8601 time with offset (the first record
     * at or after it). Once offsets are committed this is never used again. No default: a group
     * with no committed offsets refuses to start until this or processing.maxEventAgeMs is set.
     */
    startFrom: z
      .string()
      .refine((v) => v === 'earliest' || v === 'latest' || isoTime.safeParse(v).success, {
        message: 'must be earliest, latest or an ISO-8601 time such as 2026-12-01T00:00:00Z',
      })
      .optional(),
    sessionTimeoutMs: durationMs.default(30_000),
    heartbeatIntervalMs: durationMs.default(3_000),
    connectionTimeoutMs: durationMs.default(10_000),
    /**
     * How often the consumer reads the topics' metadata again (Kafka's metadata.max.age.ms): how
     * soon partitions added to an input topic are seen and assigned.
     */
    metadataMaxAgeMs: durationMs.min(1000).default(300_000),
    /**
     * How a previous owner of a partition is kept from committing for it. `group` (KIP-447,
     * brokers 2.5 and later): one transactional producer per instance commits every partition it
     * owns in one transaction, with the group's generation, and the broker refuses a member whose
     * generation is over. `partition` (for older brokers): one transactional producer per input
     * partition, whose id a new owner takes over.
     */
    fencing: z.enum(['group', 'partition']).default('group'),
    /**
     * Transactional ids start with it: `<prefix>-<instance id>` (group fencing) or
     * `<prefix>-<topic>-<partition>` (partition fencing). Defaults to the group id.
     */
    transactionalIdPrefix: z.string().min(1).optional(),
    /**
     * This instance's stable name (group fencing: its transactional id is `<prefix>-<instanceId>`).
     * The chart sets it to the pod name. A restarted instance with the same name fences its own
     * predecessor at once, aborting the transaction it left open, instead of its partitions waiting
     * for the broker to time it out. Unset: a random name per start. Two live processes given the
     * same name fence each other (docs/dedup-store.md "Instance identity").
     */
    instanceId: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,200}$/, 'letters, digits, ".", "_" and "-" only (at most 200)')
      .optional(),
    /**
     * With kafka.instanceId set, the consumer is a static group member under that name (KIP-345,
     * brokers 2.3 and later): an instance that crashed and restarts under the same name takes its
     * partitions back at once, without a rebalance and without waiting for its old session to
     * time out. false: a dynamic member. Without an instanceId it has no effect.
     */
    staticMembership: z.boolean().default(true),
    /**
     * A static member leaves the group when it shuts down, so its partitions move at once. Set it
     * to false where the same name comes back (a StatefulSet pod): a rolling restart then moves no
     * partition at all, and those of an instance that never returns move after sessionTimeoutMs.
     * A dynamic member always leaves.
     */
    leaveGroupOnShutdown: z.boolean().default(true),
    /**
     * The broker aborts a transaction open this long (Kafka Streams' exactly-once default). With
     * group fencing, the new owners of a crashed instance's partitions wait up to this (plus the
     * broker's 10 s cleanup interval) for its open transaction to end.
     */
    transactionTimeoutMs: durationMs.min(1000).default(10_000),
    /**
     * A partition assigned to this instance in two consecutive group generations keeps its claim
     * (producer, dedup state, worker) instead of being claimed afresh: nobody else can have owned
     * it in between. false claims every partition again at every rebalance.
     */
    keepClaimsAcrossRebalance: z.boolean().default(true),
    /** One fetch response at most (kafkajs maxBytes); what is buffered can exceed the processing bounds by this. */
    fetchMaxBytes: z.number().int().min(1024).default(4_194_304),
    fetchMaxBytesPerPartition: z.number().int().min(1024).default(262_144),
    topics: z
      .object({
        results: topicName.default('cxone.results'),
        audit: topicName.default('cxone.audit'),
        dlq: topicName.default('cxone.dlq'),
        dedup: topicName.default('cxone.dedup'),
        /** Signed checkpoints of the audit chains (audit.signingKey); keep it at least as long as the audit topic. */
        auditCheckpoints: topicName.default('cxone.audit.checkpoints'),
        /** What `cxone-connector dlq replay` has replayed (compacted; created by the first replay). */
        replays: topicName.default('cxone.dlq.replays'),
      })
      .strict()
      .prefault({}),
  })
  .strict();
