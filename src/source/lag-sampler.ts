/**
 * Consumer lag as an SRE and an autoscaler read it, per assigned input
 * partition: in records, the last stable offset (what a read_committed
 * consumer can reach; kafkajs lists offsets READ_COMMITTED) minus the group's
 * committed offset; in seconds, the age of the oldest record taken but not yet
 * committed. Sampled on a timer, two admin requests per input topic.
 */
import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';
import type { ConnectorMetrics } from '../observability/metrics.ts';

export interface LagSamplerDeps {
  admin: Admin;
  groupId: string;
  /** This instance's current assignment. */
  assigned: () => Readonly<Record<string, readonly number[]>>;
  oldestPendingMs: (topic: string, partition: number) => number | undefined;
  metrics: Pick<ConnectorMetrics, 'consumerLagRecords' | 'consumerLagSeconds' | 'committedOffset'>;
  logger: Logger;
  now: () => number;
}

export interface LagSampler {
  sample(): Promise<void>;
}

export function createLagSampler(deps: LagSamplerDeps): LagSampler {
  return {
    async sample() {
      const assignment = deps.assigned();
      const rows: {
        topic: string;
        partition: number;
        records: number;
        seconds: number;
        committed: number;
      }[] = [];
      for (const [topic, partitions] of Object.entries(assignment)) {
        if (partitions.length === 0) continue;
        const [ends, committed] = await Promise.all([
          deps.admin.fetchTopicOffsets(topic),
          deps.admin.fetchOffsets({ groupId: deps.groupId, topics: [topic] }),
        ]);
        const stable = new Map(ends.map((e) => [e.partition, { high: BigInt(e.high), low: BigInt(e.low) }]));
        const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, p.offset]));
        for (const partition of partitions) {
          const end = stable.get(partition);
          if (!end) continue;
          const offset = done.get(partition);
          // Never committed: everything still retained is ahead of the group.
          const from = offset === undefined || offset === '-1' ? end.low : BigInt(offset);
          const records = end.high > from ? Number(end.high - from) : 0;
          const oldest = deps.oldestPendingMs(topic, partition);
          const seconds = oldest === undefined ? 0 : Math.max(0, (deps.now() - oldest) / 1000);
          rows.push({ topic, partition, records, seconds, committed: Number(from) });
        }
      }
      // Only partitions assigned now: a revoked one's lag is its new owner's to report.
      deps.metrics.consumerLagRecords.reset();
      deps.metrics.consumerLagSeconds.reset();
      deps.metrics.committedOffset.reset();
      for (const { topic, partition, records, seconds, committed } of rows) {
        const labels = { topic, partition: String(partition) };
        deps.metrics.consumerLagRecords.set(labels, records);
        deps.metrics.consumerLagSeconds.set(labels, seconds);
        deps.metrics.committedOffset.set(labels, committed);
      }
    },
  };
}
