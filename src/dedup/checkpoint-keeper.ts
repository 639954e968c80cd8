/**
 * Writes and reads the dedup checkpoints of the scopes this instance owns
 * (dedup-checkpoint.ts has the file and why it can be trusted).
 *
 * A checkpoint says "every committed record of this scope below offset O is
 * in the table, and nothing else is". It is taken at two moments:
 * - the end of a claim's restore: the table was just read from the topic to
 *   O, and no record of the new owner has been processed yet;
 * - while the scope is owned, every `intervalMs`, at a commit boundary: the
 *   worker has just committed and holds its next commit until this is done,
 *   so none of the scope's dedup records is in an open transaction. O is the
 *   partition's high watermark read then: every record the scope writes
 *   later lands at or past it. The table also holds entries of records done
 *   but not committed yet (an entry is stored when its outcome is known, so
 *   a repeat in the same batch is caught); they are left out of the file
 *   (DedupStore.viewCommitted). Restored after a crash, such an entry would
 *   answer DUPLICATE for an event whose ACCEPTED result was never committed
 *   (the chaos run showed it, before they were left out).
 * So a restart reads the dedup topic only from its last commit boundary
 * checkpointed, at most `intervalMs` of traffic, whatever the history.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { DedupScope } from '../contracts/dedup-key.ts';
import type { DedupStore, ScopeSnapshot, UncommittedEntry } from './dedup-store.ts';
import {
  readCheckpoint,
  removeCheckpoint,
  commitCheckpoint,
  stageCheckpoint,
  type Checkpoint,
  type CheckpointIdentity,
} from './dedup-checkpoint.ts';

const END_OFFSET_TIMEOUT_MS = 5_000;

export interface CheckpointKeeper {
  /** The scope's checkpoint if one can be trusted within the partition's [low, high watermark]. */
  read(scope: DedupScope, bounds: { low: bigint; high: bigint }): Promise<Checkpoint | undefined>;
  /** A checkpoint read could not be used after all (the store refused it): removed, said once. */
  refuse(scope: DedupScope, reason: string): Promise<void>;
  /** The scope's restore read every committed record below `completeBelow`: its table is written. */
  restored(scope: DedupScope, completeBelow: bigint): void;
  /** An owned scope's checkpoint is due: its last was taken `intervalMs` ago or more. */
  due(scope: DedupScope): boolean;
  /**
   * Checkpoints an owned scope at a commit boundary: the caller has just committed, and holds its
   * next commit until this resolves. `uncommitted` (called once the offset is known) gives the
   * entries of records done since, oldest first, or undefined when the caller stopped meanwhile.
   * Never throws: a failure is logged and the next is tried an interval later.
   */
  owned(scope: DedupScope, uncommitted: () => readonly UncommittedEntry[] | undefined): Promise<void>;
  /** Resolves when every checkpoint write begun so far has ended. */
  flush(): Promise<void>;
}

export interface CheckpointKeeperDeps {
  stateDir: string;
  groupId: string;
  dedupTopic: string;
  windowMs: number;
  /** How often an owned scope is checkpointed (dedup.checkpointIntervalMs). */
  intervalMs: number;
  /** The dedup partition's high watermark, read from the broker. */
  endOffset(partition: number): Promise<bigint>;
  store: DedupStore;
  logger: Logger;
  now: () => number;
  faultPoint?: (name: string) => void;
}

export function createCheckpointKeeper(deps: CheckpointKeeperDeps): CheckpointKeeper {
  const id = (scope: DedupScope): CheckpointIdentity => ({
    groupId: deps.groupId,
    dedupTopic: deps.dedupTopic,
    partition: scope.partition,
    inputTopic: scope.topic,
  });
  // One write at a time, so that checkpoints of one scope land in the order they were taken.
  let queue: Promise<void> = Promise.resolve();
  const takenAt = new Map<string, number>();
  const keyOf = (scope: DedupScope): string => `${scope.topic}\u0000${scope.partition}`;
  const failed =
    (scope: DedupScope) =>
    (error: unknown): void =>
      deps.logger.warn(
        { err: error, topic: scope.topic, partition: scope.partition },
        'dedup checkpoint failed; a restart restores more of the dedup topic',
      );

  /** Stages the snapshot now (synchronously: the caller's table changes after); made durable in the queue. */
  function stage(scope: DedupScope, offset: bigint, snapshot: ScopeSnapshot): void {
    takenAt.set(keyOf(scope), deps.now());
    let staged: string;
    try {
      staged = stageCheckpoint(deps.stateDir, id(scope), { offset, writtenAtMs: deps.now(), snapshot });
    } catch (error) {
      failed(scope)(error);
      return;
    }
    queue = queue.then(() =>
      commitCheckpoint(deps.stateDir, id(scope), staged, deps.faultPoint).catch(failed(scope)),
    );
  }

  return {
    async read(scope, { low, high }) {
      const found = await readCheckpoint(deps.stateDir, id(scope));
      if (found.status === 'missing') return undefined;
      let reason: string | undefined;
      if (found.status === 'refused') reason = found.reason;
      else if (found.checkpoint.offset > high) {
        reason = `its offset ${found.checkpoint.offset} is past the partition's end ${high} (the topic was recreated, or another cluster's)`;
      } else if (found.checkpoint.offset < low) {
        reason = `its offset ${found.checkpoint.offset} is below the partition's log start ${low} (stale)`;
      } else if (found.checkpoint.writtenAtMs < deps.now() - deps.windowMs) {
        reason = 'it is older than dedup.windowMs (stale)';
      }
      if (reason === undefined && found.status === 'found') return found.checkpoint;
      await this.refuse(scope, reason ?? 'unusable');
      return undefined;
    },
    async refuse(scope, reason) {
      deps.logger.warn(
        { topic: scope.topic, partition: scope.partition },
        `dedup checkpoint not used: ${reason}; restoring from the dedup topic instead`,
      );
      await removeCheckpoint(deps.stateDir, id(scope)).catch(() => undefined);
    },
    restored(scope, completeBelow) {
      // The table holds exactly what was restored.
      const snapshot = deps.store.viewScope(scope);
      if (snapshot) stage(scope, completeBelow, snapshot);
    },
    due: (scope) => deps.now() - (takenAt.get(keyOf(scope)) ?? 0) >= deps.intervalMs,
    async owned(scope, uncommitted) {
      // Counted from the attempt, so a failing broker or disk is not asked again at every commit.
      takenAt.set(keyOf(scope), deps.now());
      let offset: bigint;
      try {
        // Bounded: the caller's next commit (or its drain) waits for this.
        offset = await Promise.race([
          deps.endOffset(scope.partition),
          sleep(END_OFFSET_TIMEOUT_MS, undefined, { ref: false }).then(() => {
            throw new Error(`the dedup partition's end offset took over ${END_OFFSET_TIMEOUT_MS} ms`);
          }),
        ]);
      } catch (error) {
        failed(scope)(error);
        return;
      }
      const entries = uncommitted();
      if (entries === undefined) return;
      deps.store.viewCommitted(scope, entries, (snapshot) => stage(scope, offset, snapshot));
    },
    flush: () => queue,
  };
}
