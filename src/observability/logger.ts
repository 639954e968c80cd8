import { hostname } from 'node:os';
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
  'adminToken',
  '*.adminToken',
  'config.observability.adminToken',
  'piiKey',
  '*.piiKey',
  'piiSalt',
  '*.piiSalt',
  'config.audit.piiKey',
  'config.audit.piiSalt',
  'signingKey',
  '*.signingKey',
  'config.audit.signingKey',
  'privateKey',
  '*.privateKey',
];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface LoggerSettings {
  level: LoggerOptions['level'];
  name?: string;
  /** This process's instance id (also in every audit record), so a log line and an audit record meet. */
  instanceId?: string;
}

/**
 * One JSON line per event, in the shape log pipelines parse without rules:
 * `"level":"warn"`, an ISO-8601 `time`, the `hostname` (the pod) and the instance id.
 */
export function createLogger(settings: LoggerSettings, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    // A stack trace is for whoever debugs, not for every reader of the logs: only at debug or trace.
    serializers: {
      err: (error: Error) => {
        const serialized = pino.stdSerializers.err(error);
        // `logger` is set below, before anything can be logged.
        if (logger.isLevelEnabled('debug')) return serialized;
        return withoutStacks(serialized);
      },
    },
    level: settings.level ?? 'info',
    name: settings.name ?? 'cxone-connector',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: {
      pid: process.pid,
      hostname: hostname(),
      ...(settings.instanceId === undefined ? {} : { instance: settings.instanceId }),
    },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  const logger = destination ? pino(options, destination) : pino(options);
  return logger;
}

/** The serialized error and the errors it carries (cause, kafkajs's originalError), without their stacks. */
function withoutStacks(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 5) return value;
  if (Array.isArray(value)) return value.map((item) => withoutStacks(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'stack')
      .map(([key, item]) => [key, withoutStacks(item, depth + 1)]),
  );
}

/**
 * The level of a running process. Child loggers follow the root's level unless
 * they set their own (none here does), so setting the root's is enough.
 */
export interface LogLevelControl {
  get(): string;
  /** Throws on a name that is not a level, listing the ones that are. */
  set(level: string): void;
  /** debug, or back to the level the process started with (SIGUSR2). */
  toggleDebug(): string;
}

export function createLogLevelControl(logger: Logger): LogLevelControl {
  const initial = logger.level;
  const set = (level: string): void => {
    if (!(LOG_LEVELS as readonly string[]).includes(level))
      throw new RangeError(`"${level}" is not a log level; use one of ${LOG_LEVELS.join(', ')}`);
    if (level === logger.level) return;
    const from = logger.level;
    logger.level = level;
    // At warn so the change is seen at any level it can be changed from, short of silent.
    logger.warn({ from, to: level }, 'log level changed');
  };
  return {
    get: () => logger.level,
    set,
    toggleDebug() {
      set(logger.level === 'debug' ? (initial === 'debug' ? 'info' : initial) : 'debug');
      return logger.level;
    },
  };
}
