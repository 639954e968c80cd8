/**
 * Writes and reads the dedup checkpoints of the scopes this instance owns
 * (dedup-checkpoint.ts has the file and why it can be trusted). Only a scope
 * whose restore finished is ever written: a table being restored is partial,
 * and a checkpoint of it would claim a completeness it does not have.
 *
 * A checkpoint says "every record of this scope below offset O is in the
 * table". This instance's own records are (an entry is stored before its
 * record is produced). A record of another owner below O would not be: one
 * that took the partition over while this instance did not know it yet (a
 * pause past the session timeout). So O is a high watermark read at some
 * moment F, and the table is written only once a commit of the scope that
 * began after F has succeeded: fencing (the transactional id, or the group
 * generation) would have failed that commit had another owner existed at F,
 * so every other owner's records come after O and are read from the tail.
 * For the same reason nothing is written at a revoke: the next owner may be
 * writing already.
 */
import type { Logger } from 'pino';
import type { DedupScope } from '../contracts/dedup-key.ts';
import type { DedupStore } from './dedup-store.ts';
import {
  readCheckpoint,
  removeCheckpoint,
  writeCheckpoint,
  type Checkpoint,
  type CheckpointIdentity,
} from './dedup-checkpoint.ts';

export interface CheckpointKeeper {
  /** The scope's checkpoint if one can be trusted within the partition's [low, high watermark]. */
  read(scope: DedupScope, bounds: { low: bigint; high: bigint }): Promise<Checkpoint | undefined>;
  /** A checkpoint read could not be used after all (the store refused it): removed, said once. */
  refuse(scope: DedupScope, reason: string): Promise<void>;
  /** The scope's restore finished: from now on it may be written. */
  restored(scope: DedupScope): void;
  /** The scope is no longer owned: nothing more is written for it. */
  release(scope: DedupScope): void;
  /** Reads the high watermarks that the next commits of changed live scopes may checkpoint at. */
  prepare(): Promise<void>;
  /** Taken when a commit begins, handed to `committed` when it succeeded. */
  mark(): number;
  /** A commit of the scope that began at `mark` succeeded: a prepared checkpoint is written. */
  committed(scope: DedupScope, mark: number): void;
  /** Resolves when every checkpoint write begun so far has ended. */
  flush(): Promise<void>;
}

export interface CheckpointKeeperDeps {
  stateDir: string;
  groupId: string;
  dedupTopic: string;
  windowMs: number;
  store: DedupStore;
  /** The dedup topic's high watermark per partition (READ_UNCOMMITTED ListOffsets). */
  highWatermarks: () => Promise<Map<number, bigint>>;
  logger: Logger;
  now: () => number;
  onWritten?: (seconds: number) => void;
  faultPoint?: (name: string) => void;
}

export function createCheckpointKeeper(deps: CheckpointKeeperDeps): CheckpointKeeper {
  const id = (scope: DedupScope): CheckpointIdentity => ({
    groupId: deps.groupId,
    dedupTopic: deps.dedupTopic,
    partition: scope.partition,
    inputTopic: scope.topic,
  });
  const keyOf = (scope: DedupScope) => `${scope.topic}\u0000${scope.partition}`;
  interface Live {
    scope: DedupScope;
    /** The store's change count at the last checkpoint written. */
    savedChanges: number;
    /** A high watermark read at `mark`, waiting for a commit begun after it. */
    prepared?: { offset: bigint; mark: number } | undefined;
  }
  const live = new Map<string, Live>();
  let marks = 0;
  // One write at a time, so that checkpoints of one scope land in the order they were taken.
  let queue: Promise<void> = Promise.resolve();

  function write(entry: Live, offset: bigint): void {
    const changes = deps.store.changes(entry.scope);
    // Copied now, while the table is known to hold everything below the offset.
    const snapshot = deps.store.exportScope(entry.scope);
    if (!snapshot) return;
    entry.savedChanges = changes;
    queue = queue.then(async () => {
      const started = deps.now();
      try {
        await writeCheckpoint(
          deps.stateDir,
          id(entry.scope),
          { offset, writtenAtMs: started, snapshot },
          deps.faultPoint,
        );
        deps.onWritten?.((deps.now() - started) / 1000);
      } catch (error) {
        entry.savedChanges = -1;
        deps.logger.warn(
          { err: error, topic: entry.scope.topic, partition: entry.scope.partition },
          'dedup checkpoint failed; a restart restores more of the dedup topic',
        );
      }
    });
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
    restored(scope) {
      live.set(keyOf(scope), { scope, savedChanges: -1 });
    },
    release(scope) {
      live.delete(keyOf(scope));
    },
    async prepare() {
      const changed = [...live.values()].filter((e) => deps.store.changes(e.scope) !== e.savedChanges);
      if (changed.length === 0) return;
      const highs = await deps.highWatermarks();
      const mark = ++marks;
      for (const entry of changed) {
        const high = highs.get(entry.scope.partition);
        if (high !== undefined) entry.prepared = { offset: high, mark };
      }
    },
    mark: () => marks,
    committed(scope, mark) {
      const entry = live.get(keyOf(scope));
      const prepared = entry?.prepared;
      if (!entry || !prepared || mark < prepared.mark) return;
      entry.prepared = undefined;
      write(entry, prepared.offset);
    },
    flush: () => queue,
  };
}
