/**
 * The one error hierarchy of the connector. Every failure that crosses a stage
 * boundary is a ConnectorError: DLQ headers, audit records and metric labels
 * use its stable `code`; the pipeline decides retry vs. dead-letter from
 * `retryable` alone and never looks at HTTP status codes.
 */

export const ERROR_CODES = [
  // configuration (fails the start, never a record)
  'CONFIG_INVALID',
  // decode stage
  'DECODE_TOMBSTONE',
  'DECODE_MAGIC_BYTE',
  'DECODE_UNKNOWN_SCHEMA',
  'DECODE_AVRO',
  'DECODE_INVALID_UTF8',
  'DECODE_TOO_LARGE',
  'DECODE_INCOMPATIBLE_SCHEMA',
  'REGISTRY_UNAVAILABLE',
  // mapping stage
  'MAPPING_FAILED',
  'MAPPING_EXPRESSION_FAILED',
  'IDENTIFIERS_MISSING',
  'PAYLOAD_TOO_LARGE',
  'NO_ROUTE',
  // CXone
  'CXONE_AUTH_FAILED',
  'CXONE_FORBIDDEN',
  'CXONE_BAD_REQUEST',
  'CXONE_NOT_FOUND',
  'CXONE_CONFLICT',
  'CXONE_UNPROCESSABLE',
  'CXONE_RATE_LIMITED',
  'CXONE_SERVER_ERROR',
  'CXONE_GATEWAY_TIMEOUT',
  'CXONE_TIMEOUT',
  'CXONE_NETWORK',
  'CXONE_BAD_RESPONSE',
  'CXONE_RETRIES_EXHAUSTED',
  // data actions: inputs refused before the call; async invocations that ended badly
  'CXONE_INPUT_INVALID',
  'CXONE_ACTION_FAILED',
  'CXONE_ACTION_CANCELLED',
  'CXONE_POLL_TIMEOUT',
  // the circuit breaker refused the call because CXone looks down
  'CXONE_CIRCUIT_OPEN',
  // CXone's TLS certificate is not trusted (a CA missing, an intercepting proxy, a wrong host)
  'CXONE_TLS_UNTRUSTED',
  // a route blocked by a configuration fault: the record waits, no call is made
  'ROUTE_BLOCKED',
  // processing.onRecordFault: hold stopped the partition at a record fault
  'RECORD_HELD',
  // the connector could not start: which step, which setting, what to check
  'STARTUP_FAILED',
  // Kafka / outputs
  'KAFKA_ERROR',
  // another live process runs with this kafka.instanceId: its start fenced this one's transactions
  'INSTANCE_ID_IN_USE',
  // Kafka security: the principal is not who it says (SASL), the broker's certificate is not
  // trusted, or the principal lacks an ACL the connector needs
  'KAFKA_AUTH_FAILED',
  'KAFKA_TLS_UNTRUSTED',
  'KAFKA_ACCESS_DENIED',
  'OUTPUT_ENCODE_FAILED',
  // an input partition with no dedup partition of its number (partitions were added to the input)
  'DEDUP_TOO_FEW_PARTITIONS',
  // dedup.stateDir cannot hold the dedup checkpoints: missing, not writable, or full
  'DEDUP_STATE_DIR',
  'SHUTDOWN',
  // not a ConnectorError at all: a library's raw error or a bug; logged and labelled, never a DLQ reason
  'UNEXPECTED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * What a failure means, one rule per class (docs/exactly-once.md "Failure handling"):
 * - `record`: this record can never succeed as it is: dead-lettered (or held,
 *   with processing.onRecordFault: hold), the partition moves on;
 * - `transient`: it may succeed later: retried, parked, the breaker pauses;
 * - `config`: the connector is set up wrong (credentials, scopes, a configured
 *   journey, action or path, TLS trust): never dead-lettered, never committed;
 *   the route waits, health says degraded and why, and it resumes by itself
 *   once the cause is fixed.
 * A retryable error is always transient, whatever its code (a token endpoint
 * that answers garbage once is CXONE_BAD_RESPONSE and retryable).
 */
export type FailureClass = 'record' | 'transient' | 'config';

export const FAILURE_CLASSES: Record<ErrorCode, FailureClass> = {
  CONFIG_INVALID: 'config',
  DECODE_TOMBSTONE: 'record',
  DECODE_MAGIC_BYTE: 'record',
  DECODE_UNKNOWN_SCHEMA: 'record',
  DECODE_AVRO: 'record',
  DECODE_INVALID_UTF8: 'record',
  DECODE_TOO_LARGE: 'record',
  DECODE_INCOMPATIBLE_SCHEMA: 'record',
  REGISTRY_UNAVAILABLE: 'transient',
  MAPPING_FAILED: 'record',
  MAPPING_EXPRESSION_FAILED: 'record',
  IDENTIFIERS_MISSING: 'record',
  PAYLOAD_TOO_LARGE: 'record',
  NO_ROUTE: 'record',
  CXONE_AUTH_FAILED: 'config',
  CXONE_FORBIDDEN: 'config',
  CXONE_BAD_REQUEST: 'record',
  // An error, not an outcome, only for a configured journey, action or path: a contact 404 is CONTACT_NOT_FOUND.
  CXONE_NOT_FOUND: 'config',
  CXONE_CONFLICT: 'transient',
  CXONE_UNPROCESSABLE: 'record',
  CXONE_RATE_LIMITED: 'transient',
  CXONE_SERVER_ERROR: 'transient',
  CXONE_GATEWAY_TIMEOUT: 'transient',
  CXONE_TIMEOUT: 'transient',
  CXONE_NETWORK: 'transient',
  // Not retryable only when CXone's answer does not have the configured endpoint's shape: a path or style is wrong.
  CXONE_BAD_RESPONSE: 'config',
  CXONE_RETRIES_EXHAUSTED: 'transient',
  CXONE_INPUT_INVALID: 'record',
  CXONE_ACTION_FAILED: 'record',
  CXONE_ACTION_CANCELLED: 'record',
  CXONE_POLL_TIMEOUT: 'record',
  CXONE_CIRCUIT_OPEN: 'transient',
  CXONE_TLS_UNTRUSTED: 'config',
  ROUTE_BLOCKED: 'config',
  RECORD_HELD: 'config',
  STARTUP_FAILED: 'config',
  KAFKA_ERROR: 'transient',
  INSTANCE_ID_IN_USE: 'config',
  KAFKA_AUTH_FAILED: 'config',
  KAFKA_TLS_UNTRUSTED: 'config',
  KAFKA_ACCESS_DENIED: 'config',
  OUTPUT_ENCODE_FAILED: 'record',
  DEDUP_TOO_FEW_PARTITIONS: 'config',
  DEDUP_STATE_DIR: 'config',
  SHUTDOWN: 'transient',
  UNEXPECTED: 'transient',
};

/** The class of any thrown value: a non-ConnectorError is a bug or a library's raw error, retried as transient. */
export function failureClass(error: unknown): FailureClass {
  if (!(error instanceof ConnectorError) || error.retryable) return 'transient';
  return FAILURE_CLASSES[error.code];
}

export type Stage = 'config' | 'decode' | 'mapping' | 'cxone' | 'output' | 'kafka' | 'lifecycle';

export interface ConnectorErrorOptions {
  retryable?: boolean;
  retryAfterMs?: number;
  cause?: unknown;
}

export class ConnectorError extends Error {
  readonly code: ErrorCode;
  readonly stage: Stage;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, stage: Stage, message: string, options: ConnectorErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.stage = stage;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export class ConfigError extends ConnectorError {
  readonly issues: readonly string[];
  constructor(issues: readonly string[], options: ConnectorErrorOptions = {}) {
    super('CONFIG_INVALID', 'config', `invalid configuration:\n  - ${issues.join('\n  - ')}`, options);
    this.issues = issues;
  }
}

export type DecodeErrorCode = Extract<
  ErrorCode,
  | 'DECODE_TOMBSTONE'
  | 'DECODE_MAGIC_BYTE'
  | 'DECODE_UNKNOWN_SCHEMA'
  | 'DECODE_AVRO'
  | 'DECODE_INVALID_UTF8'
  | 'DECODE_TOO_LARGE'
  | 'DECODE_INCOMPATIBLE_SCHEMA'
  | 'REGISTRY_UNAVAILABLE'
>;

export class DecodeError extends ConnectorError {
  constructor(code: DecodeErrorCode, message: string, options: ConnectorErrorOptions = {}) {
    super(code, 'decode', message, { ...options, retryable: code === 'REGISTRY_UNAVAILABLE' });
  }
}

export type MappingErrorCode = Extract<
  ErrorCode,
  'MAPPING_FAILED' | 'MAPPING_EXPRESSION_FAILED' | 'IDENTIFIERS_MISSING' | 'PAYLOAD_TOO_LARGE' | 'NO_ROUTE'
>;

export class MappingError extends ConnectorError {
  constructor(
    code: MappingErrorCode,
    message: string,
    options: Omit<ConnectorErrorOptions, 'retryable'> = {},
  ) {
    super(code, 'mapping', message, { ...options, retryable: false });
  }
}

export type CxoneErrorCode = Extract<ErrorCode, `CXONE_${string}`>;

export class CxoneError extends ConnectorError {
  readonly status: number | undefined;
  /**
   * CXone's own error codes from the response body. The body itself is never kept: it can echo
   * a person's fields, and an error travels to logs, dead letters and `/status`.
   */
  readonly cxoneCodes: readonly string[] | undefined;
  constructor(
    code: CxoneErrorCode,
    message: string,
    options: ConnectorErrorOptions & { status?: number; cxoneCodes?: readonly string[] } = {},
  ) {
    super(code, 'cxone', message, options);
    this.status = options.status;
    this.cxoneCodes = options.cxoneCodes;
  }
}

/** A start-up step failed: the message names the step, the setting it used, and what to check. */
export class StartupError extends ConnectorError {
  constructor(step: string, fix: string, cause: unknown) {
    super('STARTUP_FAILED', 'lifecycle', `cannot start: ${step} failed: ${describeError(cause)}; ${fix}`, {
      cause,
    });
  }
}

export class KafkaOutputError extends ConnectorError {
  constructor(
    code: Extract<
      ErrorCode,
      'KAFKA_ERROR' | 'OUTPUT_ENCODE_FAILED' | 'DEDUP_TOO_FEW_PARTITIONS' | 'INSTANCE_ID_IN_USE'
    >,
    message: string,
    options: ConnectorErrorOptions = {},
  ) {
    super(code, code === 'OUTPUT_ENCODE_FAILED' ? 'output' : 'kafka', message, options);
  }
}

/** dedup.stateDir cannot hold the checkpoints; the message names the folder and what to fix. */
export class DedupStateError extends ConnectorError {
  constructor(message: string, options: ConnectorErrorOptions = {}) {
    super('DEDUP_STATE_DIR', 'lifecycle', message, options);
  }
}

export type KafkaSecurityErrorCode = Extract<
  ErrorCode,
  'KAFKA_AUTH_FAILED' | 'KAFKA_TLS_UNTRUSTED' | 'KAFKA_ACCESS_DENIED'
>;

export class KafkaSecurityError extends ConnectorError {
  constructor(code: KafkaSecurityErrorCode, message: string, options: ConnectorErrorOptions = {}) {
    super(code, 'kafka', message, options);
  }
}

export function isConnectorError(error: unknown): error is ConnectorError {
  return error instanceof ConnectorError;
}

/** The stable code of any thrown value, for log fields and metric labels. */
export function errorCode(error: unknown): ErrorCode {
  return error instanceof ConnectorError ? error.code : 'UNEXPECTED';
}

/** Short text for logs and DLQ headers; never includes secrets because messages are built by us. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
