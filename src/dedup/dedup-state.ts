/**
 * One dedup state: a store, the keeper of its local checkpoints (with dedup.stateDir) and the
 * restorer that fills it from the dedup topic. The connector builds one for the scopes it owns; the
 * standby (standby-checkpoints.ts) builds another of its own, so nothing it holds touches them.
 */
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { createCheckpointKeeper, type CheckpointKeeper } from './checkpoint-keeper.ts';
import { createDedupEntryReader } from './dedup-entry-reader.ts';
import { createDedupRestorer, dedupHighWatermark, type DedupRestorer } from './dedup-restorer.ts';
import { createDedupStore, type DedupStore } from './dedup-store.ts';

export interface DedupStateOptions {
  kafka: Kafka;
  admin: Admin;
  registry: Pick<SchemaRegistry, 'getSchema'>;
  dedupTopic: string;
  /** The connector's group: the restorer's throwaway groups and the checkpoints' identity name it. */
  groupId: string;
  inputTopics: number;
  settings: {
    windowMs: number;
    maxEntries: number;
    restoreTimeoutMs: number;
    checkpointIntervalMs: number;
    stateDir?: string | undefined;
  };
  logger: Logger;
  /** The restorer's own lines (a claim restored); the keeper's warnings go to `logger`. */
  restoreLogger?: Logger;
  now: () => number;
  onRestoreRead?: (records: number) => void;
  /** Test-only: the chaos run's crash point inside a checkpoint write. */
  faultPoint?: (name: string) => void;
}

export interface DedupState {
  store: DedupStore;
  checkpoints: CheckpointKeeper | undefined;
  restorer: DedupRestorer;
}

export function createDedupState(o: DedupStateOptions): DedupState {
  const { settings } = o;
  const store = createDedupStore({
    maxEntries: settings.maxEntries,
    windowMs: settings.windowMs,
    now: o.now,
  });
  const checkpoints =
    settings.stateDir === undefined
      ? undefined
      : createCheckpointKeeper({
          stateDir: settings.stateDir,
          groupId: o.groupId,
          dedupTopic: o.dedupTopic,
          windowMs: settings.windowMs,
          intervalMs: settings.checkpointIntervalMs,
          endOffset: (partition) => dedupHighWatermark(o.admin, o.dedupTopic, partition),
          store,
          logger: o.logger,
          now: o.now,
          ...(o.faultPoint ? { faultPoint: o.faultPoint } : {}),
        });
  const restorer = createDedupRestorer({
    kafka: o.kafka,
    admin: o.admin,
    topic: o.dedupTopic,
    groupPrefix: o.groupId,
    store,
    entries: createDedupEntryReader(o.registry),
    logger: o.restoreLogger ?? o.logger,
    timeoutMs: settings.restoreTimeoutMs,
    inputTopics: o.inputTopics,
    ...(o.onRestoreRead ? { onRestoreRead: o.onRestoreRead } : {}),
    ...(checkpoints ? { checkpoints } : {}),
  });
  return { store, checkpoints, restorer };
}
