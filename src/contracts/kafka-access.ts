/**
 * How a Kafka authorization failure is told: which operation on which resource
 * the connector's principal lacks, and where the list of ACLs is. Shared by the
 * ACL probe (kafka/) and the topic setup (source/), which meet the same errors.
 */
import { KafkaSecurityError } from '../errors.ts';

export type AclResource = 'Topic' | 'Group' | 'TransactionalId' | 'Cluster';

export interface AclNeed {
  operation: 'READ' | 'WRITE' | 'DESCRIBE' | 'DESCRIBE_CONFIGS' | 'CREATE';
  resource: AclResource;
  /** The resource's name; a prefix when `prefixed`. */
  name: string;
  prefixed?: boolean;
}

/** The kafkajs error type (e.g. TOPIC_AUTHORIZATION_FAILED) of an error or of what it wraps. */
export function kafkaErrorType(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 6; depth++) {
    const { type, originalError, cause, errors } = current as {
      type?: unknown;
      originalError?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (typeof type === 'string') return type;
    // kafkajs's aggregate errors (createTopics: "Topic creation errors") carry one per topic.
    current = originalError ?? cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return undefined;
}

export function isAuthorizationFailure(error: unknown): boolean {
  return kafkaErrorType(error)?.endsWith('_AUTHORIZATION_FAILED') ?? false;
}

export function describeNeed(need: AclNeed): string {
  return `${need.operation} on ${need.resource} ${need.prefixed ? 'prefix ' : ''}"${need.name}"`;
}

export function accessDenied(need: AclNeed, cause?: unknown): KafkaSecurityError {
  return new KafkaSecurityError(
    'KAFKA_ACCESS_DENIED',
    `the connector's Kafka principal lacks ${describeNeed(need)} (${kafkaErrorType(cause) ?? 'denied'}): grant it; docs/security.md "Kafka ACLs" lists every ACL the connector needs`,
    { cause },
  );
}
