/**
 * HTTP transport to one CXone tenant: a pooled undici connection set, a
 * per-request timeout, and transport failures turned into typed, retryable
 * errors. Status handling lives in classify-response.ts.
 * Every request passes the tenant's one rate limiter and circuit breaker here,
 * so no caller (token, pre-check, poll) can bypass them.
 */
import { Pool, type Dispatcher } from 'undici';
import { CxoneError } from '../errors.ts';
import type { ConnectorMetrics } from '../observability/metrics.ts';
import { classifyResponse } from './classify-response.ts';
import type { CircuitBreaker } from './circuit-breaker.ts';
import { createTextDispatch, type TextReply } from './dispatch-text.ts';
import type { RateLimiter } from './rate-limiter.ts';

export interface CxoneRequest {
  /** A bounded label for metrics and messages, e.g. "trigger". */
  endpoint: string;
  method: 'GET' | 'POST';
  path: string;
  /**
   * The path's template (`/api/v1/contacts/{contactId}`): the only form of the path that
   * messages, logs and dead letters carry, since the filled one can identify a person.
   */
  template: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export type CxoneResponse = TextReply;

export interface CxoneHttp {
  /** Resolves with a 2xx response; rejects with a CxoneError otherwise. */
  send(request: CxoneRequest): Promise<CxoneResponse>;
  close(): Promise<void>;
  /** The breaker the pipeline reads to pause consumption during an outage (undefined if none). */
  readonly breaker: CircuitBreaker | undefined;
}

export interface CxoneHttpOptions {
  baseUrl: string;
  requestTimeoutMs: number;
  connections: number;
  metrics?: ConnectorMetrics;
  now?: () => number;
  /** Injected for tests; defaults to a pool on baseUrl's origin. */
  dispatcher?: Dispatcher;
  /** The tenant's one limiter: share it, never create one per client. */
  limiter?: RateLimiter;
  breaker?: CircuitBreaker;
}

/** Failures that mean CXone is unwell; 429 and 409 mean it is up and pushing back. */
function countsAsOutage(error: unknown): boolean {
  return (
    error instanceof CxoneError &&
    error.retryable &&
    error.code !== 'CXONE_RATE_LIMITED' &&
    error.code !== 'CXONE_CONFLICT' &&
    error.code !== 'CXONE_CIRCUIT_OPEN'
  );
}

export function createCxoneHttp(options: CxoneHttpOptions): CxoneHttp {
  const base = new URL(options.baseUrl);
  const prefix = base.pathname.replace(/\/$/, '');
  const dispatcher =
    options.dispatcher ??
    new Pool(base.origin, {
      connections: options.connections,
      pipelining: 1,
      connectTimeout: options.requestTimeoutMs,
    });
  const exchange = createTextDispatch(dispatcher);
  const now = options.now ?? Date.now;

  async function send(request: CxoneRequest): Promise<CxoneResponse> {
    const { breaker } = options;
    if (!breaker) return limitedSend(request);
    // A request cancelled by shutdown says nothing about CXone's health.
    return breaker.execute(
      () => limitedSend(request),
      (error) => countsAsOutage(error) && !request.signal?.aborted,
    );
  }

  async function limitedSend(request: CxoneRequest): Promise<CxoneResponse> {
    try {
      await options.limiter?.acquire(request.signal);
    } catch (error) {
      throw transportError(error, request, false, options.requestTimeoutMs);
    }
    const started = performance.now();
    let response: CxoneResponse;
    try {
      // undici's own timers, not AbortSignal.timeout + AbortSignal.any: those keep a timer and a
      // signal alive per request for the whole timeout (10 s), thousands at full speed, and
      // bloated the heap to several hundred MB. headersTimeout bounds the wait for an answer,
      // bodyTimeout a stalled body.
      response = await exchange(
        {
          origin: base.origin,
          path: prefix + request.path,
          method: request.method,
          headers: { accept: 'application/json', ...request.headers },
          body: request.body ?? null,
          headersTimeout: options.requestTimeoutMs,
          bodyTimeout: options.requestTimeoutMs,
        },
        request.signal,
      );
    } catch (error) {
      options.metrics?.cxoneRequests.inc({
        endpoint: request.endpoint,
        status: 'error',
        status_class: 'error',
      });
      throw transportError(error, request, isTimeout(error), options.requestTimeoutMs);
    } finally {
      options.metrics?.cxoneRequestSeconds.observe(
        { endpoint: request.endpoint },
        (performance.now() - started) / 1000,
      );
    }
    options.metrics?.cxoneRequests.inc({
      endpoint: request.endpoint,
      status: String(response.status),
      status_class: `${Math.floor(response.status / 100)}xx`,
    });
    const error = classifyResponse(response, request, now());
    if (error?.code === 'CXONE_RATE_LIMITED') options.limiter?.onRateLimited();
    if (error) throw error;
    return response;
  }

  return {
    send,
    breaker: options.breaker,
    close: async () => {
      if (!options.dispatcher) await dispatcher.close();
    },
  };
}

/** Node's codes for a certificate it will not trust: a setup fault, never fixed by retrying. */
const TLS_TRUST_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

function isTimeout(error: unknown): boolean {
  return TIMEOUT_CODES.has((error as { code?: string }).code ?? '');
}

function transportError(
  error: unknown,
  request: CxoneRequest,
  timedOut: boolean,
  timeoutMs: number,
): CxoneError {
  const where = `${request.method} ${request.template}`;
  if (timedOut) {
    return new CxoneError('CXONE_TIMEOUT', `no response from CXone within ${timeoutMs} ms [${where}]`, {
      retryable: true,
      cause: error,
    });
  }
  if (request.signal?.aborted) {
    return new CxoneError('CXONE_NETWORK', `request cancelled by shutdown [${where}]`, {
      // Retryable so the record is never dead-lettered: its batch is abandoned uncommitted and replayed.
      retryable: true,
      cause: error,
    });
  }
  const code = (error as { code?: string }).code ?? 'unknown';
  if (
    TLS_TRUST_CODES.has(code) ||
    TLS_TRUST_CODES.has((error as { cause?: { code?: string } }).cause?.code ?? '')
  ) {
    return new CxoneError(
      'CXONE_TLS_UNTRUSTED',
      `CXone's TLS certificate is not trusted (${code}) [${where}]: check cxone.baseUrl and the CA bundle (NODE_EXTRA_CA_CERTS) for a proxy or private CA`,
      { retryable: false, cause: error },
    );
  }
  return new CxoneError('CXONE_NETWORK', `network error talking to CXone (${code}) [${where}]`, {
    retryable: true,
    cause: error,
  });
}
