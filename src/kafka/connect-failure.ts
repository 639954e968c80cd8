/**
 * Why a connection to the brokers failed, said in terms of the settings: the
 * raw errors (`SASL SCRAM SHA512 authentication failed`, `self-signed
 * certificate in certificate chain`) name neither the setting nor the fix.
 */
import { KafkaSecurityError } from '../errors.ts';
import type { KafkaClientOptions } from './kafka-client.ts';

/** Node's codes for a server certificate that cannot be verified. */
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A KafkaSecurityError for a failure the settings explain; undefined for any other. */
export function explainConnectFailure(
  error: unknown,
  options: KafkaClientOptions,
): KafkaSecurityError | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 6; depth++) {
    const { name, code, message, originalError, cause } = current as {
      name?: unknown;
      code?: unknown;
      message?: unknown;
      originalError?: unknown;
      cause?: unknown;
    };
    if (name === 'KafkaJSSASLAuthenticationError') {
      const who =
        options.sasl && 'username' in options.sasl
          ? ` as kafka.sasl.username "${options.sasl.username}"`
          : '';
      return new KafkaSecurityError(
        'KAFKA_AUTH_FAILED',
        `the brokers refused SASL ${options.sasl?.mechanism ?? ''} authentication${who}: check the credentials in kafka.sasl and that the listener enables this mechanism`,
        { cause: current },
      );
    }
    if (typeof code === 'string' && UNTRUSTED.has(code)) {
      return new KafkaSecurityError(
        'KAFKA_TLS_UNTRUSTED',
        `the broker's TLS certificate is not trusted (${code}): set kafka.ssl.ca to the CA bundle that signed it${code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? ', or kafka.ssl.servername to the name the certificate carries' : ''}`,
        { cause: current },
      );
    }
    if (
      typeof message === 'string' &&
      /certificate required|alert bad certificate|alert handshake failure/i.test(message)
    ) {
      return new KafkaSecurityError(
        'KAFKA_AUTH_FAILED',
        `the broker refused the TLS handshake${options.tls?.cert ? ' and the client certificate' : ': it asks for a client certificate; set kafka.ssl.cert and kafka.ssl.key'}`,
        { cause: current },
      );
    }
    current = originalError ?? cause;
  }
  return undefined;
}
