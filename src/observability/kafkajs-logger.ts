import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from 'pino';

/**
 * Broker answers kafkajs logs at ERROR although they are part of normal work
 * and kafkajs retries them: a transaction starting while the previous one's
 * markers are still being written, a coordinator moving or loading, a
 * rebalance, a partition whose leader is moving or not loaded yet (right
 * after a topic is created or a broker restarts). Logged at debug, so an
 * operator's ERROR lines mean something.
 */
const TRANSIENT = [
  'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
  "The coordinator is loading and hence can't process requests for this group",
  'The group coordinator is not available',
  'This is not the correct coordinator for this group',
  'The group is rebalancing, so a rejoin is needed',
  'This server is not the leader for that topic-partition',
  'This server does not host this topic-partition',
  'There is no leader for this topic-partition as we are in the middle of a leadership election',
];

function isTransientKafkaLog(message: string, error: unknown): boolean {
  const text = typeof error === 'string' ? `${message} ${error}` : message;
  return TRANSIENT.some((transient) => text.includes(transient));
}

/** Routes kafkajs's own log lines into our pino logger at the matching level. */
export function kafkajsLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log }) => {
      const { message, ...extra } = log;
      if (level <= logLevel.WARN && isTransientKafkaLog(message, extra.error)) child.debug(extra, message);
      else if (level === logLevel.ERROR) child.error(extra, message);
      else if (level === logLevel.WARN) child.warn(extra, message);
      else if (level === logLevel.INFO) child.debug(extra, message);
      else child.trace(extra, message);
    };
}
