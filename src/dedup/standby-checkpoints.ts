/**
 * Standby checkpoints (Kafka Streams' standby replicas, kept on disk rather
 * than in memory): every `intervalMs`, this instance brings its local
 * checkpoint of each dedup scope it does NOT own up to date, one scope at a
 * time, through a restorer of its own (its own store, consumer and keeper):
 * the checkpoint it has (or none) plus the dedup topic's tail, written out at
 * the restore's end and dropped from memory. So an instance that takes over a
 * partition whose owner never comes back claims it from a checkpoint at most
 * an interval old and reads only the tail past it, instead of the whole
 * partition. Such a checkpoint is what any restore's end writes ("every
 * committed record of the scope below O", dedup-checkpoint.ts), so a claim
 * trusts it as it trusts its own. Memory: one scope's table at a time, on top
 * of what the owned scopes hold.
 */
import type { Logger } from 'pino';
import type { DedupRestorer } from './dedup-restorer.ts';
import { createDedupState, type DedupStateOptions } from './dedup-state.ts';

export interface StandbyDeps {
  /** A restorer of the standby's own: its store holds one scope at a time, its keeper writes the files. */
  restorer: DedupRestorer;
  inputTopics: readonly string[];
  /** The dedup topic's partitions (input partition p of every input topic shares dedup partition p). */
  partitions: () => Promise<number[]>;
  /** Whether this instance owns (or is claiming) the input topic-partition: then it keeps its own checkpoints. */
  owned: (topic: string, partition: number) => boolean;
  intervalMs: number;
  logger: Logger;
  /** Runs `fn` after `ms`; returns a cancel function. */
  schedule: (fn: () => void, ms: number) => () => void;
}

export interface StandbyCheckpoints {
  /** Starts its restorer (a consumer group join), then refreshes every interval. */
  start(): Promise<void>;
  /** Stops: a scope being brought up to date is abandoned (its restore aborted, no file written). */
  stop(): Promise<void>;
}

export function createStandbyCheckpoints(deps: StandbyDeps): StandbyCheckpoints {
  const abort = new AbortController();
  let cancel: (() => void) | undefined;
  let round: Promise<void> = Promise.resolve();
  let starting: Promise<void> | undefined;

  async function refresh(): Promise<void> {
    const partitions = await deps.partitions();
    let refreshed = 0;
    for (const partition of partitions) {
      for (const topic of deps.inputTopics) {
        if (abort.signal.aborted) return;
        if (deps.owned(topic, partition)) continue;
        try {
          await deps.restorer.restore(topic, partition, abort.signal);
          refreshed++;
        } catch (error) {
          if (abort.signal.aborted) return;
          deps.logger.warn(
            { err: error, topic, partition },
            'standby dedup checkpoint not brought up to date; a takeover of this partition restores more of the dedup topic',
          );
        } finally {
          deps.restorer.release(topic, partition);
        }
      }
    }
    deps.logger.debug({ scopes: refreshed }, 'standby dedup checkpoints brought up to date');
  }

  function next(): void {
    cancel = deps.schedule(() => {
      round = refresh()
        .catch((error: unknown) => deps.logger.warn({ err: error }, 'standby dedup checkpoints failed'))
        .finally(() => {
          if (!abort.signal.aborted) next();
        });
    }, deps.intervalMs);
  }

  return {
    start() {
      starting = deps.restorer.start().then(() => {
        if (!abort.signal.aborted) next();
      });
      return starting;
    },
    async stop() {
      abort.abort();
      cancel?.();
      // A start still joining its consumer group ends first, so the stop disconnects what it made.
      await starting?.catch(() => undefined);
      await round;
      await deps.restorer.stop();
    },
  };
}

/** What the standby needs of the connector: its Kafka, the dedup settings, and who owns what now. */
export interface StandbyAssembly extends Omit<
  DedupStateOptions,
  'settings' | 'restoreLogger' | 'inputTopics' | 'onRestoreRead' | 'faultPoint'
> {
  inputTopics: readonly string[];
  settings: DedupStateOptions['settings'] & { stateDir: string; standbyIntervalMs: number };
  owned: (topic: string, partition: number) => boolean;
  schedule: (fn: () => void, ms: number) => () => void;
}

/** The standby on a dedup state of its own (dedup-state.ts). */
export function assembleStandby(a: StandbyAssembly): StandbyCheckpoints {
  const { restorer } = createDedupState({
    ...a,
    inputTopics: a.inputTopics.length,
    // A line per scope per round would drown the log; each round says what it did at debug.
    restoreLogger: a.logger.child({}, { level: 'warn' }),
  });
  return createStandbyCheckpoints({
    restorer,
    inputTopics: a.inputTopics,
    partitions: async () => {
      const metadata = await a.admin.fetchTopicMetadata({ topics: [a.dedupTopic] });
      return (metadata.topics[0]?.partitions ?? []).map((p) => p.partitionId);
    },
    owned: a.owned,
    intervalMs: a.settings.standbyIntervalMs,
    logger: a.logger,
    schedule: a.schedule,
  });
}
