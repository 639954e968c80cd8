/**
 * How the dedup topic's records are keyed. Input partition p of every input
 * topic keeps its entries in dedup partition p, so a record's Kafka key names
 * its input topic too: `<topic>/<idempotency key>`. Compaction then never lets
 * one topic's entry replace another's, and a claim of one topic restores only
 * its own. A topic name cannot hold "/" and a route name (the start of every
 * idempotency key) cannot either, so the split is never ambiguous; keys written
 * before this format have no "/" before their first ":" and stay readable.
 */

/** One input topic-partition's share of the dedup state. */
export interface DedupScope {
  topic: string;
  partition: number;
}

export function dedupRecordKey(topic: string, idempotencyKey: string): string {
  return `${topic}/${idempotencyKey}`;
}

/**
 * Where a record key's topic ends (the index of its "/"), or -1 for a key written before keys named
 * their topic. The same on the text and on its UTF-8 bytes (a restore reads keys as bytes): "/" and
 * ":" never occur inside a multi-byte character.
 */
export function dedupKeyTopicEnd(recordKey: string | Buffer): number {
  const slash = recordKey.indexOf('/');
  const colon = recordKey.indexOf(':');
  return slash > 0 && (colon === -1 || slash < colon) ? slash : -1;
}

/** The input topic (undefined for a key written before topics were named) and the idempotency key. */
export function parseDedupRecordKey(recordKey: string): { topic: string | undefined; key: string } {
  const slash = dedupKeyTopicEnd(recordKey);
  if (slash === -1) return { topic: undefined, key: recordKey };
  return { topic: recordKey.slice(0, slash), key: recordKey.slice(slash + 1) };
}
