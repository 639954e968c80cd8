/**
 * Writes and reads the dedup checkpoints of the scopes this instance owns
 * (dedup-checkpoint.ts has the file and why it can be trusted).
 *
 * A checkpoint says "every committed record of this scope below offset O is
 * in the table, and nothing else is". The one moment this instance knows that
 * for sure is the end of a claim's restore: the table was just read from the
 * topic to O, and no record of the new owner has been processed yet. Later
 * the table also holds entries of records whose transaction has not
 * committed (an entry is stored when its outcome is known, so a repeat in the
 * same batch is caught); a checkpoint taken then and restored after a crash
 * would answer DUPLICATE for an event whose ACCEPTED result was never
 * committed (the chaos run showed it: results missing, effects right). So a
 * checkpoint is written at the end of each restore, and a restart reads the
 * dedup topic from the last claim on.
 */
import type { Logger } from 'pino';
import type { DedupScope } from '../contracts/dedup-key.ts';
import type { DedupStore } from './dedup-store.ts';
import {
  readCheckpoint,
  removeCheckpoint,
  commitCheckpoint,
  stageCheckpoint,
  type Checkpoint,
  type CheckpointIdentity,
} from './dedup-checkpoint.ts';

export interface CheckpointKeeper {
  /** The scope's checkpoint if one can be trusted within the partition's [low, high watermark]. */
  read(scope: DedupScope, bounds: { low: bigint; high: bigint }): Promise<Checkpoint | undefined>;
  /** A checkpoint read could not be used after all (the store refused it): removed, said once. */
  refuse(scope: DedupScope, reason: string): Promise<void>;
  /** The scope's restore read every committed record below `completeBelow`: its table is written. */
  restored(scope: DedupScope, completeBelow: bigint): void;
  /** Resolves when every checkpoint write begun so far has ended. */
  flush(): Promise<void>;
}

export interface CheckpointKeeperDeps {
  stateDir: string;
  groupId: string;
  dedupTopic: string;
  windowMs: number;
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

  function write(scope: DedupScope, offset: bigint): void {
    const failed = (error: unknown): void =>
      deps.logger.warn(
        { err: error, topic: scope.topic, partition: scope.partition },
        'dedup checkpoint failed; a restart restores more of the dedup topic',
      );
    // Written out now, while the table holds exactly what was restored; made durable in the queue.
    const snapshot = deps.store.viewScope(scope);
    if (!snapshot) return;
    let staged: string;
    try {
      staged = stageCheckpoint(deps.stateDir, id(scope), { offset, writtenAtMs: deps.now(), snapshot });
    } catch (error) {
      failed(error);
      return;
    }
    queue = queue.then(() =>
      commitCheckpoint(deps.stateDir, id(scope), staged, deps.faultPoint).catch(failed),
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
      write(scope, completeBelow);
    },
    flush: () => queue,
  };
}
