/**
 * What one rebalance costs: an instance is busy on every partition, with a
 * dedup history behind it; a second instance joins the group. Measured: the
 * time from the second instance's start until every input partition commits
 * again, the dedup records read to restore claimed partitions (both
 * instances), and the claims the first instance kept. Run with
 * kafka.keepClaimsAcrossRebalance on (the default) and off.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import { startConnector, waitReady, type BenchConnector, type ConnectorHost } from './bench-connector.ts';

export interface RebalanceCost {
  join_to_all_committing_ms: number;
  dedup_restore_records: number;
  claims_kept: number;
}

/** A counter or gauge from an instance's /metrics; 0 while it is not listening yet. */
async function scrape(port: number, name: string): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then(
    (r) => r.text(),
    () => '',
  );
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

async function committedByPartition(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Map<number, number>> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map((offsets?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
}

export async function measureRebalance(
  host: ConnectorHost,
  admin: Admin,
  keepClaims: boolean,
  historyEvents: number,
): Promise<RebalanceCost> {
  const group = `rebalance-${keepClaims ? 'keep' : 'fresh'}`;
  const groupId = `${host.runId}-${group}`;
  const extra = { kafka: { keepClaimsAcrossRebalance: keepClaims } };
  const connectors: BenchConnector[] = [];
  try {
    const first = await startConnector(host, 'full', `${group}-a`, { group, extra });
    connectors.push(first);
    await waitReady(first.metricsPort);
    // A history first: dedup entries a claim has to read back.
    for (;;) {
      const done = [...(await committedByPartition(admin, groupId, host.input)).values()].reduce(
        (sum, n) => sum + Math.max(0, n),
        0,
      );
      if (done >= historyEvents) break;
      await sleep(250);
    }
    const before = await committedByPartition(admin, groupId, host.input);
    const readsBefore = await scrape(first.metricsPort, 'cxone_connector_dedup_restore_records_total');
    const started = performance.now();
    const second = await startConnector(host, 'full', `${group}-b`, { group, extra });
    connectors.push(second);
    let elapsed = Number.NaN;
    for (let i = 0; i < 1200; i++) {
      const now = await committedByPartition(admin, groupId, host.input);
      const assigned =
        (await scrape(first.metricsPort, 'cxone_connector_assigned_partitions').catch(() => 0)) +
        (await scrape(second.metricsPort, 'cxone_connector_assigned_partitions').catch(() => 0));
      const moved = [...before].every(([p, offset]) => (now.get(p) ?? 0) > offset);
      if (
        assigned === before.size &&
        moved &&
        (await scrape(second.metricsPort, 'cxone_connector_assigned_partitions')) > 0
      ) {
        elapsed = performance.now() - started;
        break;
      }
      await sleep(100);
    }
    const reads =
      (await scrape(first.metricsPort, 'cxone_connector_dedup_restore_records_total')) -
      readsBefore +
      (await scrape(second.metricsPort, 'cxone_connector_dedup_restore_records_total'));
    const kept = await scrape(first.metricsPort, 'cxone_connector_claims_kept_total');
    process.stdout.write(
      `[bench] rebalance (keepClaimsAcrossRebalance ${keepClaims}): ${Math.round(elapsed)} ms from the second instance's start to every partition committing, ${reads} dedup records restored, ${kept} claims kept\n`,
    );
    return {
      join_to_all_committing_ms: Math.round(elapsed),
      dedup_restore_records: reads,
      claims_kept: kept,
    };
  } finally {
    await Promise.all(connectors.map((c) => c.stop()));
  }
}
