/**
 * Decodes what the connector wrote (results, audit) through the real
 * registry, as a downstream consumer would, and tallies DLQ headers.
 */
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { DLQ_HEADERS, type AuditRecord, type ResultRecord } from '../src/output/output-records.ts';
import type { ReadRecord } from '../src/replay/read-topic.ts';

export async function decodeAll<T>(registryUrl: string, records: readonly ReadRecord[]): Promise<T[]> {
  const registry = new SchemaRegistry({ host: registryUrl });
  const out: T[] = [];
  for (const record of records) {
    if (record.value === null) continue;
    out.push((await registry.decode(record.value)) as T);
  }
  return out;
}

export type DecodedResult = ResultRecord;
export type DecodedAudit = AuditRecord;

export function dlqCode(record: ReadRecord): string {
  const value = record.headers?.[DLQ_HEADERS.code];
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value ?? 'none');
}

export function countBy<T>(items: readonly T[], keyOf: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const key = keyOf(item);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
