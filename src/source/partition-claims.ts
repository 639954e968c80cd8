/**
 * Claiming an input partition for this instance, in an order that matters.
 * Partition fencing:
 *   1. create its transactional producer: this fences the previous owner and
 *      aborts (or lets finish) any transaction it left open;
 *   2. restore its dedup partition to the end (nothing of the previous owner
 *      can still be in flight, so the end is final);
 *   3. read the group's committed position for it (the offset, and in its
 *      metadata the records done past it): only now is it final.
 * Group fencing (the broker refuses the previous owner's offsets by
 * generation, but a transaction that already holds them may still commit):
 *   1. read the committed position with requireStable, which waits until no
 *      open transaction holds an offset commit for the partition: now it is
 *      final, since only this generation may commit it;
 *   2. restore its dedup partition to its high watermark, waiting until
 *      every transaction written to it is decided: a dead owner's open one
 *      (aborted by the broker after kafka.transactionTimeoutMs) would
 *      otherwise pin the restore below entries committed after it.
 * Before all that, the partition must have its dedup partition: input
 * partition p keeps its entries in dedup partition p. Partitions added to an
 * input topic while the connector runs are refused until the dedup topic has
 * them too (the claim fails with the command that adds them, and is tried
 * again after processing.failureBackoffMs); the other partitions go on.
 * Every claim is fresh: the supervisor claims again after every rebalance
 * (another instance may have owned any partition in between, e.g. while this
 * one was frozen past its session timeout) and after every failed commit.
 */
import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';
import type { DedupRestorer } from '../dedup/dedup-restorer.ts';
import type { ConnectorMetrics } from '../observability/metrics.ts';
import type { TransactionalCommitter } from '../output/commit-contents.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { kafkaErrorType } from '../contracts/kafka-access.ts';
import { KafkaOutputError } from '../errors.ts';
import { decodeCommitMetadata } from './commit-metadata.ts';
import type { PartitionPosition } from './partition-worker.ts';

export interface PartitionClaims {
  /** Fences the previous owner, restores the dedup partition, reads the committed position. */
  claim(topic: string, partition: number, signal: AbortSignal): Promise<PartitionPosition>;
  /** A new group generation: release the producers and dedup partitions no longer assigned. */
  onAssignment(assignment: Record<string, number[]>): Promise<void>;
}

export interface PartitionClaimsDeps {
  admin: Admin;
  groupId: string;
  dedupTopic: string;
  committer: TransactionalCommitter;
  restorer: DedupRestorer;
  logger: Logger;
  /** kafka.startFrom as a time: where a partition the group never committed starts. */
  startFromMs?: number | undefined;
  now: () => number;
  /** Group fencing: read the committed position first, with requireStable (see above). */
  stableOffsets?: boolean;
  /** How long to wait between requireStable answers of UNSTABLE_OFFSET_COMMIT. */
  unstableRetryMs?: number;
  metrics?: Pick<ConnectorMetrics, 'claimSeconds' | 'dedupRestoreSeconds'>;
}

export function createPartitionClaims(deps: PartitionClaimsDeps): PartitionClaims {
  let assigned = new Set<string>();
  const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

  let dedupPartitions = 0;
  async function assertDedupPartition(topic: string, partition: number): Promise<void> {
    if (partition < dedupPartitions) return;
    const metadata = await deps.admin.fetchTopicMetadata({ topics: [deps.dedupTopic] });
    dedupPartitions = metadata.topics[0]?.partitions.length ?? 0;
    if (partition < dedupPartitions) return;
    const input = await deps.admin.fetchTopicMetadata({ topics: [topic] });
    const needed = Math.max(partition + 1, input.topics[0]?.partitions.length ?? 0);
    throw new KafkaOutputError(
      'DEDUP_TOO_FEW_PARTITIONS',
      `input partition ${topic}[${partition}] has no dedup partition: the dedup topic ${deps.dedupTopic} has ${dedupPartitions} and input partition p keeps its entries in dedup partition p. Partitions were added to ${topic}; add them to the dedup topic too: kafka-topics.sh --bootstrap-server <broker> --alter --topic ${deps.dedupTopic} --partitions ${needed} (docs/operations.md "Adding input partitions"). The partition waits until then; nothing is lost`,
    );
  }

  async function claim(topic: string, partition: number, signal: AbortSignal): Promise<PartitionPosition> {
    const started = deps.now();
    await assertDedupPartition(topic, partition);
    await deps.committer.claim(topic, partition);
    const stable = deps.stableOffsets ? await stableOffset(topic, partition, signal) : undefined;
    const restoreStarted = deps.now();
    // Group fencing: no claim aborts a dead owner's open transaction (partition fencing's
    // InitProducerId does), so the restore must wait for the broker to decide it.
    await deps.restorer.restore(topic, partition, signal, {
      throughOpenTransactions: deps.stableOffsets === true,
    });
    deps.metrics?.dedupRestoreSeconds.observe((deps.now() - restoreStarted) / 1000);
    const found = stable ?? (await committedOffset(topic, partition, false));
    const committed = found?.offset ?? '-1';
    const start = committed === '-1' ? await startOffset(topic, partition) : committed;
    const position = positionFrom(start, found?.metadata ?? null, (reason) =>
      deps.logger.warn(
        { topic, partition },
        `ignoring the committed offset metadata (${reason}); records done past the committed offset will be processed again, the dedup store absorbs their effects; the partition's audit chain starts again at sequence 0, which audit verify reports`,
      ),
    );
    deps.metrics?.claimSeconds.observe((deps.now() - started) / 1000);
    deps.logger.info(
      {
        topic,
        partition,
        from: position.committed?.toString() ?? 'reset policy',
        doneAhead: position.done.size,
        ms: deps.now() - started,
      },
      'partition claimed',
    );
    return position;
  }

  async function committedOffset(topic: string, partition: number, requireStable: boolean) {
    const offsets = await deps.admin.fetchOffsets({ groupId: deps.groupId, topics: [topic], requireStable });
    return offsets[0]?.partitions.find((p) => p.partition === partition);
  }

  /** The committed position once no open transaction holds an offset commit for the partition. */
  async function stableOffset(topic: string, partition: number, signal: AbortSignal) {
    const started = deps.now();
    let told = false;
    for (;;) {
      try {
        return await committedOffset(topic, partition, true);
      } catch (error) {
        if (kafkaErrorType(error) !== 'UNSTABLE_OFFSET_COMMIT') throw error;
      }
      if (!told && deps.now() - started >= 1000) {
        told = true;
        deps.logger.info(
          { topic, partition },
          'waiting for a transaction of the previous owner to end before reading the committed offset (a crashed owner: up to kafka.transactionTimeoutMs plus the broker cleanup interval)',
        );
      }
      await sleep(deps.unstableRetryMs ?? 100, undefined, { signal });
    }
  }

  /** Never committed: the first offset at or after kafka.startFrom's time, or '-1' for the reset policy. */
  async function startOffset(topic: string, partition: number): Promise<string> {
    if (deps.startFromMs === undefined) return '-1';
    const offsets = await deps.admin.fetchTopicOffsetsByTimestamp(topic, deps.startFromMs);
    // No record at or after the time: '-1' leaves it to the reset policy, which is latest for a time.
    return offsets.find((p) => p.partition === partition)?.offset ?? '-1';
  }

  return {
    claim,
    async onAssignment(assignment) {
      const next = new Set<string>();
      for (const [topic, partitions] of Object.entries(assignment)) {
        for (const partition of partitions) next.add(keyOf(topic, partition));
      }
      const revoked = [...assigned].filter((key) => !next.has(key));
      assigned = next;
      await Promise.all(
        revoked.map(async (key) => {
          const [topic, partition] = key.split('\u0000') as [string, string];
          await deps.committer.release(topic, Number(partition));
          deps.restorer.release(topic, Number(partition));
        }),
      );
      deps.logger.info({ assignment, revoked: revoked.length }, 'partition assignment changed');
    },
  };
}

/** The committed position from what the group coordinator returned ('-1': never committed). */
export function positionFrom(
  offset: string,
  metadata: string | null,
  onBadMetadata: (reason: string) => void,
): PartitionPosition {
  if (offset === '-1') return { committed: undefined, done: new Set() };
  const committed = BigInt(offset);
  const decoded = decodeCommitMetadata(committed, metadata);
  if (!decoded.ok) {
    onBadMetadata(decoded.reason);
    return { committed, done: new Set() };
  }
  return { committed, done: decoded.done, chain: decoded.chain };
}
