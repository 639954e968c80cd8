/**
 * TLS to a server as the settings say it (kafka.ssl, registry.ssl), turned
 * into Node's options, which kafkajs, https and undici all take.
 */
import type { ConnectionOptions } from 'node:tls';

/** PEM text; `verify: false` only to diagnose. */
export interface TlsSettings {
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  keyPassword?: string | undefined;
  servername?: string | undefined;
  verify: boolean;
}

export function tlsOptions(tls: TlsSettings): ConnectionOptions {
  return {
    rejectUnauthorized: tls.verify,
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
    ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
    ...(tls.key !== undefined ? { key: tls.key } : {}),
    ...(tls.keyPassword !== undefined ? { passphrase: tls.keyPassword } : {}),
    ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
  };
}
