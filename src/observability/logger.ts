import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/**
 * Paths that may carry credentials. Redaction is by path (pino's fast-redact),
 * so a secret is removed even when a whole config or request object is logged.
 */
const REDACT_PATHS = [
  'config.cxone.auth.clientSecret',
  'config.registry.password',
  'cxone.auth.clientSecret',
  'auth.clientSecret',
  'clientSecret',
  'password',
  'access_token',
  'accessToken',
  'token',
  'headers.authorization',
  'headers.Authorization',
  'req.headers.authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  '*.clientSecret',
  '*.password',
  '*.access_token',
  '*.authorization',
  '*.Authorization',
  // Kafka and registry security (kafka.sasl, kafka.ssl, registry): wherever such a section is logged.
  'config.kafka.sasl.password',
  'config.kafka.sasl.clientSecret',
  'config.kafka.sasl.secretAccessKey',
  'config.kafka.sasl.sessionToken',
  'config.kafka.ssl.key',
  'config.kafka.ssl.keyPassword',
  'config.registry.bearerToken',
  'config.registry.ssl.key',
  'config.registry.ssl.keyPassword',
  'config.cxone.auth.accessKeySecret',
  'kafka.sasl.password',
  'kafka.sasl.clientSecret',
  'kafka.sasl.secretAccessKey',
  'kafka.ssl.key',
  'kafka.ssl.keyPassword',
  'kafka.sasl.sessionToken',
  'sasl.password',
  'sasl.clientSecret',
  'ssl.key',
  'ssl.keyPassword',
  'accessKeySecret',
  'secretAccessKey',
  'sessionToken',
  'bearerToken',
  '*.accessKeySecret',
  '*.secretAccessKey',
  '*.sessionToken',
  '*.bearerToken',
  '*.keyPassword',
];

export interface LoggerSettings {
  level: LoggerOptions['level'];
  name?: string;
}

export function createLogger(settings: LoggerSettings, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    name: settings.name ?? 'cxone-connector',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
  };
  return destination ? pino(options, destination) : pino(options);
}
