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
  '*.clientSecret',
  '*.password',
  '*.access_token',
  '*.authorization',
  '*.Authorization',
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
