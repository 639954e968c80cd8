/**
 * Proves, before anything is consumed, that the connector's principal holds
 * every ACL the run needs, and names the one it lacks. Nothing is written: one
 * transaction from a throwaway transactional id (in the connector's prefix)
 * adds each output partition without producing to it (WRITE), sends offsets
 * for the group and the topics it reads (READ on the group, READ on each
 * topic), and is aborted, which discards the offsets and leaves only abort
 * markers. DESCRIBE, CREATE and DESCRIBE_CONFIGS are proved by the topic setup,
 * which runs first.
 */
import { randomUUID } from 'node:crypto';
import { Partitioners, type Kafka, type Producer, type Transaction } from 'kafkajs';
import {
  accessDenied,
  isAuthorizationFailure,
  kafkaErrorType,
  type AclNeed,
} from '../contracts/kafka-access.ts';
import { KafkaOutputError } from '../errors.ts';

/** How long the whole probe may take: its producer retries without limit (see below). */
const PROBE_TIMEOUT_MS = 30_000;

export interface AccessPlan {
  groupId: string;
  transactionalIdPrefix: string;
  inputTopics: readonly string[];
  /** Topics the connector writes: results, audit, DLQ, dedup. */
  writeTopics: readonly string[];
  /** The dedup topic, read at every claim in throwaway groups named after the group id. */
  restore?: { topic: string; groupId: string } | undefined;
}

export interface AccessCheck {
  need: AclNeed;
  ok: boolean;
  /** Why it failed, when it did. */
  error?: unknown;
}

/** Every check, in order, each with its outcome; a failure of anything but authorization is thrown. */
export async function probeKafkaAccess(kafka: Kafka, plan: AccessPlan): Promise<AccessCheck[]> {
  const transactionalId = `${plan.transactionalIdPrefix}-access-check-${randomUUID().slice(0, 8)}`;
  const idNeed: AclNeed = {
    operation: 'WRITE',
    resource: 'TransactionalId',
    name: plan.transactionalIdPrefix,
    prefixed: true,
  };
  const producer: Producer = kafka.producer({
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    // The probe lives for a second; the coordinator forgets it at transactional.id.expiration.ms.
    transactionTimeout: 10_000,
    // Unlimited, as kafkajs wants for an idempotent producer (a limit makes it warn that EoS may
    // break, which alarms whoever reads the start-up log although the probe writes nothing).
    // The probe is bounded by PROBE_TIMEOUT_MS instead; a denial is not retriable and fails at once.
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 2_000 },
    // Writes no record; naming the partitioner keeps kafkajs's v2 partitioner notice away.
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new KafkaOutputError(
            'KAFKA_ERROR',
            `the ACL probe got no final answer from the brokers within ${PROBE_TIMEOUT_MS / 1000} s (transaction coordinator unavailable?); check the brokers' health and retry`,
          ),
        ),
      PROBE_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([probe(producer, idNeed, plan), deadline]);
  } finally {
    clearTimeout(timer);
    await producer.disconnect().catch(() => undefined);
  }
}

async function probe(producer: Producer, idNeed: AclNeed, plan: AccessPlan): Promise<AccessCheck[]> {
  const results: AccessCheck[] = [];
  // kafkajs asks for the producer id (InitProducerId, WRITE on the id) at the first transaction.
  let transaction: Transaction | undefined;
  const ok = await attempt(results, idNeed, async () => {
    await producer.connect();
    transaction = await producer.transaction();
  });
  const txn: Transaction | undefined = transaction;
  if (!ok || !txn) return results;
  try {
    for (const topic of plan.writeTopics) {
      await attempt(results, { operation: 'WRITE', resource: 'Topic', name: topic }, () =>
        txn.addPartitions([{ topic, partitions: [{ partition: 0 }] }]),
      );
    }
    const reads: [string, string, AclNeed][] = [
      ...plan.inputTopics.map((topic): [string, string, AclNeed] => [
        plan.groupId,
        topic,
        { operation: 'READ', resource: 'Group', name: plan.groupId },
      ]),
      ...(plan.restore
        ? [
            [
              plan.restore.groupId,
              plan.restore.topic,
              { operation: 'READ', resource: 'Group', name: `${plan.groupId}.`, prefixed: true },
            ] as [string, string, AclNeed],
          ]
        : []),
    ];
    const deniedGroups = new Set<string>();
    const grantedGroups = new Set<string>();
    for (const [groupId, topic, groupNeed] of reads) {
      if (deniedGroups.has(groupId)) continue;
      const topicNeed: AclNeed = { operation: 'READ', resource: 'Topic', name: topic };
      try {
        await txn.sendOffsets({
          consumerGroupId: groupId,
          topics: [{ topic, partitions: [{ partition: 0, offset: '0' }] }],
        });
        results.push({ need: topicNeed, ok: true });
        if (!grantedGroups.has(groupId)) results.push({ need: groupNeed, ok: true });
        grantedGroups.add(groupId);
      } catch (error) {
        if (!isAuthorizationFailure(error)) throw error;
        const groupDenied = kafkaErrorType(error)?.startsWith('GROUP') ?? false;
        if (groupDenied) deniedGroups.add(groupId);
        results.push({ need: groupDenied ? groupNeed : topicNeed, ok: false, error });
      }
    }
  } finally {
    await txn.abort().catch(() => undefined);
  }
  return results;
}

/** Throws the first missing ACL as KAFKA_ACCESS_DENIED. */
export async function assertKafkaAccess(kafka: Kafka, plan: AccessPlan): Promise<void> {
  const missing = (await probeKafkaAccess(kafka, plan)).find((r) => !r.ok);
  if (missing) throw accessDenied(missing.need, missing.error);
}

async function attempt(
  results: AccessCheck[],
  need: AclNeed,
  call: () => Promise<unknown>,
): Promise<boolean> {
  try {
    await call();
    results.push({ need, ok: true });
    return true;
  } catch (error) {
    if (!isAuthorizationFailure(error)) throw error;
    results.push({ need, ok: false, error });
    return false;
  }
}
