/**
 * Keeps the dedup store in step with the compacted dedup topic. A tailing
 * consumer (its own throwaway group, nothing committed) reads only the dedup
 * partitions being restored: when an input topic-partition is claimed, its
 * dedup partition is rewound to its beginning and `restore` resolves once it
 * has been read up to the end offset taken at that moment, so no input record
 * of that topic-partition is processed before its history is known. Input
 * partition p of every input topic shares dedup partition p; a restore fills
 * only the scopes being restored (records name their input topic, see
 * contracts/dedup-key.ts), never a live one, whose worker knows more than the
 * topic does. kafkajs has no manual assignment, so the partitions we do not
 * read are paused rather than unassigned.
 *
 * A restore can overlap an older one of the same partition (a rebalance while
 * claiming) or follow a read that was still in flight. Reads fetched before
 * the latest rewind must neither fill the store nor count as progress, or a
 * restore could finish with entries missing: so each partition has an epoch
 * (bumped by every restore and release), batches kafkajs marks stale are
 * skipped, and the progress of batches kafkajs filtered out entirely (only
 * transaction markers, which every dedup write ends with) counts only once a
 * fetch from the partition's leader has started after the rewind.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { dedupKeyTopicEnd } from '../contracts/dedup-key.ts';
import type { DedupEntry } from '../contracts/records.ts';
import type { DedupEntryFields, DedupEntryReader } from './dedup-entry-reader.ts';
import type { DedupStore } from './dedup-store.ts';
import type { CheckpointKeeper } from './checkpoint-keeper.ts';

export interface DedupRestorer {
  start(): Promise<void>;
  /**
   * Reads the entries of input `topic`'s `partition` from the dedup topic, start to current end,
   * into the store. `throughOpenTransactions`: read to the high watermark rather than the last stable offset, i.e.
   * wait until every transaction already written to the partition is decided. A dead owner's open
   * transaction pins the last stable offset until the broker aborts it, and whatever was committed
   * after it (by any owner since) would be left out of a restore that stopped there.
   */
  restore(
    topic: string,
    partition: number,
    signal: AbortSignal,
    options?: { throughOpenTransactions?: boolean },
  ): Promise<void>;
  /** Forgets an input topic-partition this instance no longer owns. */
  release(topic: string, partition: number): void;
  stop(): Promise<void>;
}

export interface DedupRestorerDeps {
  kafka: Kafka;
  admin: Admin;
  topic: string;
  /** The restorer's throwaway consumer groups are named `<groupPrefix>.dedup-restore-<uuid>`, inside the connector's group ACL. */
  groupPrefix: string;
  store: DedupStore;
  /** Reads the dedup topic's values. */
  entries: DedupEntryReader;
  logger: Logger;
  timeoutMs: number;
  /** How many input topics share each dedup partition (kafka.inputTopics). */
  inputTopics: number;
  /** Told of the dedup records read while a scope is being restored (the restore volume), per batch. */
  onRestoreRead?: (records: number) => void;
  /** Local checkpoints (dedup.stateDir): a claim with one reads only the tail past it. */
  checkpoints?: CheckpointKeeper;
}

/** The partition's high watermark (not its last stable offset), read from the broker. */
export async function dedupHighWatermark(admin: Admin, topic: string, partition: number): Promise<bigint> {
  // 0: READ_UNCOMMITTED, whose end is the high watermark (our kafkajs fork).
  const offsets = await admin.fetchTopicOffsets(topic, { isolationLevel: 0 });
  return BigInt(offsets.find((o) => o.partition === partition)?.high ?? '0');
}

const topicBytes = new Map<string, Buffer>();

/**
 * The topic being restored that a record key's `<topic>/` prefix (its first `slash` bytes) names, if
 * any: compared as bytes, so that no string is made of every record's topic.
 */
function restoringTopic(key: Buffer, slash: number, topics: ReadonlyMap<string, number>): string | undefined {
  for (const topic of topics.keys()) {
    let bytes = topicBytes.get(topic);
    if (!bytes) {
      bytes = Buffer.from(topic, 'utf8');
      topicBytes.set(topic, bytes);
    }
    if (bytes.length === slash && key.compare(bytes, 0, slash, 0, slash) === 0) return topic;
  }
  return undefined;
}

const fromEntry = (entry: DedupEntryFields): DedupEntry => ({
  createdAtMs: Number(entry.createdAt),
  outcome: entry.outcome,
  attempt: entry.attempt ?? 0,
});

interface Waiter {
  target: bigint;
  resolve: () => void;
}

export function createDedupRestorer(deps: DedupRestorerDeps): DedupRestorer {
  const { topic, store } = deps;
  let consumer: Consumer | undefined;
  /**
   * Dedup partition → the input topics whose scope of it is being restored, with how many restores
   * of that scope are under way (a rebalance while claiming restores a scope again over the first).
   */
  const restoring = new Map<number, Map<string, number>>();
  const restoringOf = (partition: number): Map<string, number> => {
    let topics = restoring.get(partition);
    if (!topics) {
      topics = new Map();
      restoring.set(partition, topics);
    }
    return topics;
  };
  /** One restore of a scope ended; true when none of its partition is reading any more. */
  const endRestore = (topic: string, partition: number): boolean => {
    const topics = restoringOf(partition);
    const left = (topics.get(topic) ?? 1) - 1;
    if (left > 0) topics.set(topic, left);
    else topics.delete(topic);
    return topics.size === 0;
  };
  const position = new Map<number, bigint>();
  const waiters = new Map<number, Waiter[]>();
  const epochs = new Map<number, number>();
  const leaders = new Map<number, number>();
  // Rewound, but no fetch from the leader has started since: what arrives now predates the rewind.
  const rewinding = new Set<number>();
  let allPartitions: number[] = [];

  const bump = (partition: number): number => {
    const epoch = (epochs.get(partition) ?? 0) + 1;
    epochs.set(partition, epoch);
    return epoch;
  };

  function advance(partition: number, next: bigint): void {
    const current = position.get(partition) ?? -1n;
    if (next <= current) return;
    position.set(partition, next);
    const list = waiters.get(partition) ?? [];
    const still = list.filter((w) => {
      if (next >= w.target) w.resolve();
      return next < w.target;
    });
    waiters.set(partition, still);
  }

  /**
   * One dedup record into the store, for the scopes of its partition being restored (`topics`).
   * Synchronous, as every record of a partition's history passes here; the key stays bytes, split
   * and hashed as such.
   */
  function apply(
    partition: number,
    topics: ReadonlyMap<string, number>,
    key: Buffer,
    entry: DedupEntryFields | null,
  ): void {
    const slash = dedupKeyTopicEnd(key);
    if (slash !== -1) {
      const topic = restoringTopic(key, slash, topics);
      if (topic === undefined) return;
      const idempotencyKey = key.subarray(slash + 1);
      if (entry === null) store.delete({ topic, partition }, idempotencyKey);
      else store.set({ topic, partition }, idempotencyKey, fromEntry(entry));
      return;
    }
    // Written before keys named their topic.
    if (entry === null) {
      // A tombstone of the old format names no topic: it ends the key in every scope being restored.
      for (const topic of topics.keys()) store.delete({ topic, partition }, key);
    } else if (topics.has(entry.sourceTopic)) {
      store.set({ topic: entry.sourceTopic, partition }, key, fromEntry(entry));
    }
  }

  const highWatermark = (partition: number): Promise<bigint> =>
    dedupHighWatermark(deps.admin, topic, partition);

  async function readLeaders(): Promise<void> {
    const metadata = await deps.admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = metadata.topics[0]?.partitions ?? [];
    allPartitions = partitions.map((p) => p.partitionId);
    for (const p of partitions) leaders.set(p.partitionId, p.leader);
  }

  return {
    async start() {
      await readLeaders();
      const theConsumer = deps.kafka.consumer({
        groupId: `${deps.groupPrefix}.dedup-restore-${randomUUID()}`,
        readUncommitted: false,
        // The tail must never be what holds a rebalance up: it is a group of one.
        sessionTimeout: 30_000,
        // With every partition paused kafkajs sleeps this long between fetches, and a restore
        // waits for the next fetch: keep claims fast.
        maxWaitTimeInMs: 100,
      });
      consumer = theConsumer;
      await theConsumer.connect();
      await theConsumer.subscribe({ topics: [topic], fromBeginning: true });
      theConsumer.on(theConsumer.events.FETCH_START, (event) => {
        // kafkajs hands node ids over as strings here (they come from object keys).
        const nodeId = String((event.payload as { nodeId: number | string }).nodeId);
        for (const partition of rewinding) {
          if (String(leaders.get(partition)) === nodeId) rewinding.delete(partition);
        }
      });
      theConsumer.on(theConsumer.events.END_BATCH_PROCESS, (event) => {
        const { partition, lastOffset } = event.payload as { partition: number; lastOffset: string };
        if (!rewinding.has(partition)) advance(partition, BigInt(lastOffset) + 1n);
      });
      await theConsumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: Math.max(1, allPartitions.length),
        eachBatch: async (payload) => {
          const { batch } = payload;
          if (payload.isStale()) return;
          const { partition } = batch;
          const epoch = epochs.get(partition);
          let read = 0;
          for (const { key, value } of batch.messages) {
            // A newer restore rewound the partition meanwhile: the rest comes again from the start.
            if (epochs.get(partition) !== epoch) break;
            const topics = restoring.get(partition);
            // Not being restored (a read still in flight when it ended): nothing to decode.
            if (key === null || !topics?.size) continue;
            const entry =
              value === null ? null : (deps.entries.read(value) ?? (await deps.entries.learn(value)));
            // The learn above may have waited for the registry: look again.
            if (epochs.get(partition) !== epoch) break;
            read++;
            apply(partition, topics, key, entry);
          }
          if (read > 0) deps.onRestoreRead?.(read);
        },
      });
      // Nothing is owned yet: read nothing until a partition is assigned.
      theConsumer.pause([{ topic, partitions: allPartitions }]);
    },

    async restore(inputTopic, partition, signal, options = {}) {
      if (!consumer) throw new Error('dedup restorer not started');
      await readLeaders();
      // 0: READ_UNCOMMITTED, whose end is the high watermark (our kafkajs fork).
      const offsets = await deps.admin.fetchTopicOffsets(
        topic,
        options.throughOpenTransactions ? { isolationLevel: 0 } : {},
      );
      const end = offsets.find((o) => o.partition === partition);
      const low = BigInt(end?.low ?? '0');
      const high = BigInt(end?.high ?? '0');
      const scope = { topic: inputTopic, partition };
      const startedAt = performance.now();
      const checkpoint = deps.checkpoints
        ? await deps.checkpoints.read(scope, {
            low,
            high: options.throughOpenTransactions ? high : await highWatermark(partition),
          })
        : undefined;
      signal.throwIfAborted();
      // From here to the seek nothing awaits: the scope is emptied and the read restarts as one step.
      const topics = restoringOf(partition);
      topics.set(inputTopic, (topics.get(inputTopic) ?? 0) + 1);
      const epoch = bump(partition);
      store.dropScope(scope);
      let from = low;
      let refused: string | undefined;
      if (checkpoint) {
        try {
          store.importScope(scope, checkpoint.snapshot);
          // Another input topic's scope of this partition is reading from further back: so does this one
          // (reading records the checkpoint holds again changes nothing).
          from = topics.size > 1 ? low : checkpoint.offset;
        } catch (error) {
          store.dropScope(scope);
          refused = String(error);
        }
      }
      // The records to read bound the entries they make: the table is sized once, not grown ×1.5
      // from small (which ends a 5,000,000-key restore at 65 % load, two arrays held while it grows).
      // Input topics share the dedup partition, so each scope reserves its share of them.
      if (high > from) {
        store.reserve(scope, store.scopeSize(scope) + Number(high - from) / Math.max(1, deps.inputTopics));
      }
      position.set(partition, from - 1n);
      rewinding.add(partition);
      consumer.seek({ topic, partition, offset: from.toString() });
      if (refused !== undefined) void deps.checkpoints?.refuse(scope, refused);
      const restoredFrom = checkpoint && refused === undefined ? 'checkpoint' : 'topic';
      const done = (): void => {
        // Caught up. From here on this instance is the scope's only writer and keeps the store itself.
        if (endRestore(inputTopic, partition)) consumer?.pause([{ topic, partitions: [partition] }]);
      };
      const finished = (): void => {
        if (epochs.get(partition) !== epoch) return;
        deps.checkpoints?.restored(scope, high > from ? high : from);
        deps.logger.info(
          {
            topic,
            partition,
            inputTopic,
            from: restoredFrom,
            fromOffset: from.toString(),
            entries: store.scopeSize(scope),
            durationMs: Math.round(performance.now() - startedAt),
          },
          'dedup partition restored',
        );
      };
      if (high <= from) {
        done();
        finished();
        return;
      }
      consumer.resume([{ topic, partitions: [partition] }]);
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { target: high, resolve: () => finish(resolve) };
        const finish = (then: () => void): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          waiters.set(
            partition,
            (waiters.get(partition) ?? []).filter((w) => w !== waiter),
          );
          then();
        };
        const timer = setTimeout(
          () =>
            finish(() => {
              endRestore(inputTopic, partition);
              reject(new Error(`dedup partition ${partition} was not restored within ${deps.timeoutMs} ms`));
            }),
          deps.timeoutMs,
        );
        const onAbort = (): void =>
          finish(() => {
            endRestore(inputTopic, partition);
            reject(new Error('dedup restore aborted'));
          });
        signal.addEventListener('abort', onAbort, { once: true });
        waiters.set(partition, [...(waiters.get(partition) ?? []), waiter]);
        advance(partition, position.get(partition) ?? -1n);
      });
      done();
      finished();
    },

    release(inputTopic, partition) {
      const topics = restoringOf(partition);
      topics.delete(inputTopic);
      store.dropScope({ topic: inputTopic, partition });
      // Another scope of this partition still reading must keep its batches: no bump then.
      if (topics.size > 0) return;
      bump(partition);
      consumer?.pause([{ topic, partitions: [partition] }]);
    },

    async stop() {
      await consumer?.disconnect();
    },
  };
}
