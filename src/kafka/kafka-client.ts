/**
 * The one place a kafkajs client is made, for the connector and for the
 * commands that talk to the same cluster (dlq replay, check): TLS and SASL are
 * set up here and nowhere else, so every client (consumer, transactional
 * producers, admin, dedup restorer) connects the same way.
 */
import { Kafka, type SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';
import { tlsOptions, type TlsSettings } from '../contracts/tls.ts';
import { kafkajsLogCreator } from '../observability/kafkajs-logger.ts';
import { createMskIamTokenProvider, type MskIamSettings } from './msk-iam-token.ts';
import { createOAuthBearerProvider, type OAuthBearerSettings } from './oauth-bearer-token.ts';

export type KafkaSasl =
  | { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string }
  | ({ mechanism: 'oauthbearer' } & OAuthBearerSettings)
  | ({ mechanism: 'aws-msk-iam' } & MskIamSettings);

export interface KafkaClientOptions {
  clientId: string;
  brokers: string[];
  connectionTimeoutMs: number;
  /** Undefined: plaintext. */
  tls?: TlsSettings | undefined;
  sasl?: KafkaSasl | undefined;
}

/** Told of each failed token fetch (OAUTHBEARER, MSK IAM): a metric, since the broker refusal comes later. */
export type TokenFailureHook = (mechanism: 'oauthbearer' | 'aws-msk-iam') => void;

export function createKafkaClient(
  options: KafkaClientOptions,
  logger: Logger,
  onTokenFailure?: TokenFailureHook,
): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs,
    logCreator: kafkajsLogCreator(logger),
    ...(options.tls ? { ssl: tlsOptions(options.tls) } : {}),
    ...(options.sasl ? { sasl: saslOptions(options.sasl, onTokenFailure) } : {}),
  });
}

/** kafkajs's SASL options; the token mechanisms get a provider that caches and refreshes. */
export function saslOptions(sasl: KafkaSasl, onTokenFailure?: TokenFailureHook): SASLOptions {
  const counted =
    (mechanism: 'oauthbearer' | 'aws-msk-iam', provider: () => Promise<{ value: string }>) =>
    async (): Promise<{ value: string }> => {
      try {
        return await provider();
      } catch (error) {
        onTokenFailure?.(mechanism);
        throw error;
      }
    };
  switch (sasl.mechanism) {
    case 'plain':
    case 'scram-sha-256':
    case 'scram-sha-512':
      return { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password };
    case 'oauthbearer': {
      const provider = counted('oauthbearer', createOAuthBearerProvider(sasl));
      return { mechanism: 'oauthbearer', oauthBearerProvider: provider };
    }
    case 'aws-msk-iam': {
      // MSK IAM is OAUTHBEARER on the wire: the token is the signer's presigned URL.
      const provider = counted('aws-msk-iam', createMskIamTokenProvider(sasl));
      return { mechanism: 'oauthbearer', oauthBearerProvider: provider };
    }
  }
}
