/**
 * `cxone-connector dlq replay`: puts dead letters back on their input topic,
 * so they go through the whole pipeline again once their cause is fixed.
 *
 * Exactly once, end to end:
 * - Each replayed dead letter is written to the replay ledger (a compacted
 *   topic keyed by the dead letter's ref) in the same Kafka transaction as
 *   the re-published record, so a second run replays nothing a first run
 *   replayed, and a run that dies mid-way replays only what it had not.
 * - The transactional id is one per group, so two runs at once fence each
 *   other instead of both committing.
 * - Whatever reaches the connector twice anyway is absorbed there: an effect
 *   that was ACCEPTED is a DUPLICATE; one that was REJECTED or FAILED (no
 *   effect in CXone) is tried afresh under `<key>~<n>` (mapping/cxone-key.ts).
 */
import { Partitioners, type Kafka } from 'kafkajs';
import {
  isReplayable,
  parseDeadLetter,
  replayMessage,
  selects,
  type DeadLetter,
  type ReplayFilter,
} from './dead-letters.ts';
import { pinnedMessage, readTopic, type TopicContents } from './read-topic.ts';
import { createTopics } from '../kafka/create-topics.ts';

export interface DlqReplayOptions {
  dlqTopic: string;
  /** The compacted topic that remembers what was replayed (created when missing). */
  ledgerTopic: string;
  transactionalId: string;
  /** The connector's group id: the replay reads in throwaway groups named after it. */
  groupId: string;
  filter: ReplayFilter;
  limit: number | undefined;
  dryRun: boolean;
  /** Records per transaction. */
  batchSize?: number;
  readTimeoutMs?: number;
}

export interface DlqReplaySummary {
  read: number;
  selected: number;
  alreadyReplayed: number;
  /**
   * Selected but not replayable: without the headers that say where they came from (not written by
   * this connector), or written without their value (too big for the DLQ topic; re-publish those
   * from the input topic at the offset in their headers).
   */
  unreplayable: number;
  replayed: number;
  dryRun: boolean;
  byCode: Record<string, number>;
  byRoute: Record<string, number>;
  /** The refs chosen (all of them in a dry run, the replayed ones otherwise). */
  refs: string[];
  /** DLQ partitions an open transaction pinned: dead letters after `stable` were not read this run. */
  pinned: TopicContents['pinned'];
}

export async function runDlqReplay(
  kafka: Kafka,
  options: DlqReplayOptions,
  now = Date.now,
): Promise<DlqReplaySummary> {
  await ensureLedger(kafka, options.ledgerTopic);
  const timeoutMs = options.readTimeoutMs ?? 120_000;
  const ledger = await readTopic(kafka, options.ledgerTopic, timeoutMs, options.groupId);
  // A ledger read short of its end could miss what a later run replayed, and replay it twice.
  if (ledger.pinned.length > 0) {
    throw new Error(
      `cannot tell what was replayed before: ${pinnedMessage(options.ledgerTopic, ledger.pinned)}`,
    );
  }
  const replayedBefore = new Set<string>();
  for (const record of ledger.records) {
    const ref = record.key?.toString('utf8');
    if (ref !== undefined) replayedBefore.add(ref);
  }
  const dlq = await readTopic(kafka, options.dlqTopic, timeoutMs, options.groupId);
  const letters = dlq.records.map((record) => parseDeadLetter(options.dlqTopic, record));

  let alreadyReplayed = 0;
  let unreplayable = 0;
  const chosen: DeadLetter[] = [];
  for (const letter of letters) {
    if (!selects(options.filter, letter)) continue;
    if (replayedBefore.has(letter.ref)) {
      alreadyReplayed++;
      continue;
    }
    if (!isReplayable(letter)) {
      unreplayable++;
      continue;
    }
    if (options.limit !== undefined && chosen.length >= options.limit) break;
    chosen.push(letter);
  }
  const summary: DlqReplaySummary = {
    read: letters.length,
    selected: chosen.length + alreadyReplayed + unreplayable,
    alreadyReplayed,
    unreplayable,
    replayed: 0,
    dryRun: options.dryRun,
    byCode: countBy(chosen, (l) => l.code),
    byRoute: countBy(chosen, (l) => l.route ?? '(none)'),
    refs: chosen.map((l) => l.ref),
    pinned: dlq.pinned,
  };
  if (options.dryRun || chosen.length === 0) return summary;

  const producer = kafka.producer({
    transactionalId: options.transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    // No retry setting: kafkajs's default for an idempotent producer, unlimited, which exactly
    // once needs (a limit could give up between a send and its acknowledgement).
    // Every record names its partition; choosing the partitioner only keeps kafkajs from warning.
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    const size = options.batchSize ?? 500;
    for (let i = 0; i < chosen.length; i += size) {
      const batch = chosen.slice(i, i + size);
      const transaction = await producer.transaction();
      try {
        const byTopic = new Map<string, ReturnType<typeof replayMessage>[]>();
        for (const letter of batch) {
          const message = replayMessage(letter);
          byTopic.set(message.topic, [...(byTopic.get(message.topic) ?? []), message]);
        }
        const replayedAt = new Date(now()).toISOString();
        await transaction.sendBatch({
          topicMessages: [
            ...[...byTopic].map(([topic, messages]) => ({
              topic,
              messages: messages.map(({ partition, key, value, headers }) => ({
                partition,
                key,
                value,
                headers,
              })),
            })),
            {
              topic: options.ledgerTopic,
              messages: batch.map((letter) => ({
                key: letter.ref,
                value: JSON.stringify({
                  replayedAt,
                  topic: letter.sourceTopic,
                  partition: letter.sourcePartition,
                }),
              })),
            },
          ],
        });
        await transaction.commit();
        summary.replayed += batch.length;
      } catch (error) {
        await transaction.abort().catch(() => undefined);
        throw error;
      }
    }
  } finally {
    await producer.disconnect();
  }
  return summary;
}

async function ensureLedger(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTopics(admin, [
      { topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
    ]);
  } finally {
    await admin.disconnect();
  }
}

function countBy<T>(items: readonly T[], keyOf: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[keyOf(item)] = (counts[keyOf(item)] ?? 0) + 1;
  return counts;
}

/** The summary as the command prints it. */
export function describeReplay(summary: DlqReplaySummary, dlqTopic: string): string {
  const lines = [
    `${dlqTopic}: ${summary.read} dead letter(s) read, up to the end offsets when the run began`,
    `selected by the filters: ${summary.selected}; already replayed by an earlier run: ${summary.alreadyReplayed}; not replayable (no source headers, or value omitted): ${summary.unreplayable}`,
  ];
  if (summary.pinned.length > 0) {
    lines.push(
      `not read to the end: ${pinnedMessage(dlqTopic, summary.pinned)}; run it again then for the rest`,
    );
  }
  const list = (counts: Record<string, number>) =>
    Object.entries(counts)
      .sort(([, a], [, b]) => b - a)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ') || 'none';
  lines.push(
    `${summary.dryRun ? 'would replay' : 'to replay'}: ${summary.refs.length} (by code: ${list(summary.byCode)}; by route: ${list(summary.byRoute)})`,
  );
  if (summary.dryRun) {
    for (const ref of summary.refs.slice(0, 20)) lines.push(`  ${ref}`);
    if (summary.refs.length > 20) lines.push(`  … and ${summary.refs.length - 20} more`);
    lines.push('dry run: nothing was written');
  } else {
    lines.push(
      `replayed: ${summary.replayed}, each back on its input topic and partition with header cxone.replay.of`,
    );
  }
  return lines.join('\n');
}
