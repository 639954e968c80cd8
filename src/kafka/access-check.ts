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
import type { Kafka, Producer, Transaction } from 'kafkajs';
import {
  accessDenied,
  isAuthorizationFailure,
  kafkaErrorType,
  type AclNeed,
} from '../contracts/kafka-access.ts';

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

/** kafkajs's transaction as patched (patches/kafkajs+2.2.4.patch): partitions added without a write. */
type ProbeTransaction = Transaction & {
  addPartitions(topicData: { topic: string; partitions: { partition: number }[] }[]): Promise<void>;
};

/** Every check, in order, each with its outcome; a failure of anything but authorization is thrown. */
export async function probeKafkaAccess(kafka: Kafka, plan: AccessPlan): Promise<AccessCheck[]> {
  const results: AccessCheck[] = [];
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
    retry: { retries: 2 },
  });
  try {
    // kafkajs asks for the producer id (InitProducerId, WRITE on the id) at the first transaction.
    let transaction: ProbeTransaction | undefined;
    const ok = await attempt(results, idNeed, async () => {
      await producer.connect();
      transaction = (await producer.transaction()) as ProbeTransaction;
    });
    const txn: ProbeTransaction | undefined = transaction;
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
  } finally {
    await producer.disconnect().catch(() => undefined);
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
