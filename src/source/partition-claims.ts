/**
 * Which input partitions this instance may process right now, and from where.
 * Claiming a partition, once per group generation, is ordered on purpose:
 *   1. create its transactional producer: this fences the previous owner and
 *      aborts (or lets finish) any transaction it left open;
 *   2. restore its dedup partition to the end (nothing of the previous owner
 *      can still be in flight, so the end is final);
 *   3. read the group's committed offset for it: only now is it final, so
 *      records below it (committed by a previous owner after our fetch
 *      position was chosen) are skipped.
 * A new generation (rebalance) invalidates every claim, because in between
 * another instance may have owned any of our partitions (e.g. while we were
 * frozen past our session timeout).
 */
import type { Admin, Message } from 'kafkajs';
import type { Logger } from 'pino';
import type { DedupRestorer } from '../dedup/dedup-restorer.ts';
import type { DedupStore } from '../dedup/dedup-store.ts';
import type { TransactionalCommitter } from '../output/transactional-committer.ts';

export interface PartitionClaims {
  /** Claims the partition if needed; resolves with the offset to process from. */
  ensure(topic: string, partition: number, signal: AbortSignal): Promise<bigint>;
  committed(topic: string, partition: number, nextOffset: bigint): void;
  invalidate(topic: string, partition: number): void;
  /** Tombstones for dedup entries past the window (at most a bounded number per call). */
  expiredTombstones(partition: number): Message[];
  /** A new group generation: forget every claim, release what is no longer assigned. */
  onAssignment(assignment: Record<string, number[]>): Promise<void>;
}

export interface PartitionClaimsDeps {
  admin: Admin;
  groupId: string;
  committer: TransactionalCommitter;
  restorer: DedupRestorer;
  store: DedupStore;
  logger: Logger;
  dedupWindowMs: number;
  now: () => number;
  maxTombstonesPerCommit?: number;
}

export function createPartitionClaims(deps: PartitionClaimsDeps): PartitionClaims {
  const claims = new Map<string, Promise<bigint>>();
  const committed = new Map<string, bigint>();
  let assigned = new Set<string>();
  const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

  async function claim(topic: string, partition: number, signal: AbortSignal): Promise<bigint> {
    const started = deps.now();
    await deps.committer.claim(topic, partition);
    await deps.restorer.restore(partition, signal);
    const offsets = await deps.admin.fetchOffsets({ groupId: deps.groupId, topics: [topic] });
    const found = offsets[0]?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
    const from = found === '-1' ? 0n : BigInt(found);
    deps.logger.info(
      { topic, partition, from: from.toString(), ms: deps.now() - started },
      'partition claimed',
    );
    return from;
  }

  return {
    ensure(topic, partition, signal) {
      const key = keyOf(topic, partition);
      const known = committed.get(key);
      if (known !== undefined) return Promise.resolve(known);
      let pending = claims.get(key);
      if (!pending) {
        pending = claim(topic, partition, signal).then(
          (from) => {
            if (claims.get(key) === pending) committed.set(key, from);
            return from;
          },
          (error: unknown) => {
            claims.delete(key);
            throw error;
          },
        );
        claims.set(key, pending);
      }
      return pending;
    },
    committed(topic, partition, nextOffset) {
      const key = keyOf(topic, partition);
      if (claims.has(key)) committed.set(key, nextOffset);
    },
    invalidate(topic, partition) {
      const key = keyOf(topic, partition);
      claims.delete(key);
      committed.delete(key);
    },
    expiredTombstones(partition) {
      const keys = deps.store.expired(
        partition,
        deps.now() - deps.dedupWindowMs,
        deps.maxTombstonesPerCommit ?? 500,
      );
      for (const key of keys) deps.store.delete(partition, key);
      return keys.map((key) => ({ key, value: null }));
    },
    async onAssignment(assignment) {
      const next = new Set<string>();
      for (const [topic, partitions] of Object.entries(assignment)) {
        for (const partition of partitions) next.add(keyOf(topic, partition));
      }
      const revoked = [...assigned].filter((key) => !next.has(key));
      assigned = next;
      claims.clear();
      committed.clear();
      const stillOwnedDedup = new Set([...next].map((key) => Number(key.split('\u0000')[1])));
      await Promise.all(
        revoked.map(async (key) => {
          const [topic, partition] = key.split('\u0000') as [string, string];
          await deps.committer.release(topic, Number(partition));
          if (!stillOwnedDedup.has(Number(partition))) deps.restorer.release(Number(partition));
        }),
      );
      deps.logger.info({ assignment, revoked: revoked.length }, 'partition assignment changed');
    },
  };
}
