/**
 * A read_committed consumer that watches the results topic during a whole
 * run, the way a CDP team would, and counts non-DUPLICATE results per
 * idempotency key. A key seen at two offsets is a duplicate a reader would
 * have seen. The same offset delivered again is not: every consumer group
 * re-reads from its last committed offset after its coordinator moves (a
 * broker killed), and those re-deliveries are counted apart.
 */
import { randomUUID } from 'node:crypto';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Consumer, Kafka } from 'kafkajs';

export interface ResultsVerifier {
  duplicates(): number;
  /** Records delivered again at an offset already seen (the reader's own at-least-once, not the topic's). */
  redeliveries(): number;
  seen(): number;
  stop(): Promise<void>;
}

export async function startResultsVerifier(
  kafka: Kafka,
  registryUrl: string,
  topic: string,
): Promise<ResultsVerifier> {
  const registry = new SchemaRegistry({ host: registryUrl });
  const offsets = new Map<string, Set<string>>();
  let duplicates = 0;
  let redeliveries = 0;
  let seen = 0;
  const consumer: Consumer = kafka.consumer({
    groupId: `verifier-${randomUUID()}`,
    readUncommitted: false,
    retry: { retries: 100, maxRetryTime: 5000 },
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        if (!message.value) continue;
        const result = (await registry.decode(message.value)) as { idempotencyKey: string; outcome: string };
        seen++;
        if (result.outcome === 'DUPLICATE') continue;
        const at = `${batch.partition}@${message.offset}`;
        const seenAt = offsets.get(result.idempotencyKey) ?? new Set<string>();
        offsets.set(result.idempotencyKey, seenAt);
        if (seenAt.has(at)) redeliveries++;
        else if (seenAt.add(at).size > 1) duplicates++;
      }
    },
  });
  return {
    duplicates: () => duplicates,
    redeliveries: () => redeliveries,
    seen: () => seen,
    stop: () => consumer.disconnect(),
  };
}
