/**
 * Writes a batch's outputs and then commits the input offsets, so an offset is
 * never committed before what it produced is durably in Kafka. This is the
 * walking-skeleton committer (outputs acknowledged by all in-sync replicas,
 * then the offset commit); the transactional committer replaces it behind the
 * same interface.
 */
import type { Consumer, Producer, TopicMessages } from 'kafkajs';
import type { RecordOutputs } from '../pipeline/record-processor.ts';

export interface OutputTopics {
  results: string;
  audit: string;
  dlq: string;
}

export interface BatchCommitter {
  commit(topic: string, partition: number, outputs: readonly RecordOutputs[], nextOffset: string): Promise<void>;
}

export function collectTopicMessages(topics: OutputTopics, outputs: readonly RecordOutputs[]): TopicMessages[] {
  const results: TopicMessages = { topic: topics.results, messages: [] };
  const audit: TopicMessages = { topic: topics.audit, messages: [] };
  const dlq: TopicMessages = { topic: topics.dlq, messages: [] };
  for (const output of outputs) {
    results.messages.push(...output.results);
    audit.messages.push(...output.audit);
    dlq.messages.push(...output.dlq);
  }
  return [results, audit, dlq].filter((t) => t.messages.length > 0);
}

export function createAckThenCommitCommitter(
  producer: Producer,
  consumer: Consumer,
  topics: OutputTopics,
): BatchCommitter {
  return {
    async commit(topic, partition, outputs, nextOffset) {
      const topicMessages = collectTopicMessages(topics, outputs);
      if (topicMessages.length > 0) await producer.sendBatch({ topicMessages, acks: -1 });
      await consumer.commitOffsets([{ topic, partition, offset: nextOffset }]);
    },
  };
}
