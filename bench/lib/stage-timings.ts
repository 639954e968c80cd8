/**
 * Where a connector's time went, read from its own Prometheus metrics at the
 * end of a run: mean CXone request time per endpoint, mean transaction time
 * and size, mean time from consume to outcome.
 */
export interface StageTimings {
  cxone_request_ms: Record<string, number>;
  cxone_requests: Record<string, number>;
  record_ms: number;
  commit_ms: number;
  records_per_commit: number;
  commits: number;
  /** Kafka transactions committed (with group fencing one holds several partitions' commits). */
  transactions: number;
  records_per_transaction: number;
  partitions_per_transaction: number;
  /** Node's own view of the connector's memory at the end of the run (product only), MiB. */
  memory_mb: { heap_used: number; heap_total: number; external: number; rss: number } | null;
}

function series(text: string, name: string): { labels: string; value: number }[] {
  const out: { labels: string; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^(\w+)(\{[^}]*\})? ([0-9.eE+-]+|NaN)$/.exec(line);
    if (match && match[1] === name) out.push({ labels: match[2] ?? '', value: Number(match[3]) });
  }
  return out;
}

const sum = (items: { value: number }[]) => items.reduce((n, i) => n + i.value, 0);
const labelOf = (labels: string, label: string) => new RegExp(`${label}="([^"]*)"`).exec(labels)?.[1] ?? '';

export async function stageTimings(metricsPort: number): Promise<StageTimings> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const mean = (base: string, scale: number) => {
    const count = sum(series(text, `${base}_count`));
    return count === 0 ? 0 : Number(((sum(series(text, `${base}_sum`)) / count) * scale).toFixed(2));
  };
  const requestMs: Record<string, number> = {};
  const requests: Record<string, number> = {};
  const counts = series(text, 'cxone_connector_cxone_request_seconds_count');
  for (const s of series(text, 'cxone_connector_cxone_request_seconds_sum')) {
    const endpoint = labelOf(s.labels, 'endpoint');
    const count = counts.find((c) => labelOf(c.labels, 'endpoint') === endpoint)?.value ?? 0;
    requests[endpoint] = count;
    requestMs[endpoint] = count === 0 ? 0 : Number(((s.value / count) * 1000).toFixed(2));
  }
  return {
    cxone_request_ms: requestMs,
    cxone_requests: requests,
    record_ms: mean('cxone_connector_record_seconds', 1000),
    commit_ms: mean('cxone_connector_commit_seconds', 1000),
    records_per_commit: mean('cxone_connector_commit_records', 1),
    commits: sum(series(text, 'cxone_connector_commit_seconds_count')),
    transactions: sum(series(text, 'cxone_connector_transaction_partitions_count')),
    records_per_transaction: mean('cxone_connector_transaction_records', 1),
    partitions_per_transaction: mean('cxone_connector_transaction_partitions', 1),
    memory_mb: memory(text),
  };
}

function memory(text: string): StageTimings['memory_mb'] {
  const mb = (name: string) => Number((sum(series(text, name)) / 1_048_576).toFixed(1));
  if (series(text, 'nodejs_heap_size_used_bytes').length === 0) return null;
  return {
    heap_used: mb('nodejs_heap_size_used_bytes'),
    heap_total: mb('nodejs_heap_size_total_bytes'),
    external: mb('nodejs_external_memory_bytes'),
    rss: mb('process_resident_memory_bytes'),
  };
}
