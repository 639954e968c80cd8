/**
 * Makes sure the output topics exist before anything is consumed. Outputs get
 * the input's partition count so a later dedup topic can be co-partitioned.
 * The input topics must exist already: the connector never invents the topic
 * a CDP publishes to.
 */
import type { Admin } from 'kafkajs';
import { KafkaOutputError } from '../errors.ts';

export async function ensureTopics(
  admin: Admin,
  inputTopics: readonly string[],
  outputTopics: readonly string[],
): Promise<{ partitions: number }> {
  const existing = new Set(await admin.listTopics());
  const missingInputs = inputTopics.filter((t) => !existing.has(t));
  if (missingInputs.length > 0) {
    throw new KafkaOutputError(
      'KAFKA_ERROR',
      `input topic(s) ${missingInputs.join(', ')} do not exist; create them (or fix kafka.inputTopics) before starting`,
    );
  }
  const metadata = await admin.fetchTopicMetadata({ topics: [...inputTopics] });
  const partitions = Math.max(...metadata.topics.map((t) => t.partitions.length));
  const toCreate = outputTopics.filter((t) => !existing.has(t));
  if (toCreate.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: toCreate.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: -1 })),
    });
  }
  return { partitions };
}
