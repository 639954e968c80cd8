/**
 * A read_committed consumer that watches the results topic during a whole
 * run, the way a CDP team would, and counts non-DUPLICATE results per
 * idempotency key. Any key seen twice is a duplicate a reader would have seen.
 */
import { randomUUID } from 'node:crypto';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Consumer, Kafka } from 'kafkajs';

export interface ResultsVerifier {
  duplicates(): number;
  seen(): number;
  stop(): Promise<void>;
}

export async function startResultsVerifier(
  kafka: Kafka,
  registryUrl: string,
  topic: string,
): Promise<ResultsVerifier> {
  const registry = new SchemaRegistry({ host: registryUrl });
  const counts = new Map<string, number>();
  let duplicates = 0;
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
        const count = (counts.get(result.idempotencyKey) ?? 0) + 1;
        counts.set(result.idempotencyKey, count);
        if (count > 1) duplicates++;
      }
    },
  });
  return { duplicates: () => duplicates, seen: () => seen, stop: () => consumer.disconnect() };
}
