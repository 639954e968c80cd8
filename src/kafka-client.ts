/**
 * The one place a kafkajs client is made from the `kafka` settings, for the
 * connector and for the commands that talk to the same cluster (dlq replay).
 */
import { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaClientSettings } from './config/compile-config.ts';
import { kafkajsLogCreator } from './observability/kafkajs-logger.ts';

export function createKafkaClient(settings: KafkaClientSettings, logger: Logger): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: settings.connectionTimeoutMs,
    logCreator: kafkajsLogCreator(logger),
  });
}
