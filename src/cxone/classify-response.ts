/**
 * The one place where CXone HTTP statuses become errors. Error rows of both
 * seed documents ("Common Errors & Debugging": 400, 401, 403, 404, 422, 429,
 * 504) each get a specific message that tells the operator what to fix.
 * 408/425/429/5xx and 409 (same Idempotency-Key still in flight) are retryable.
 *
 * A message names the endpoint's template and the status, never the filled
 * path or the body: both can carry a person's ids or mapped fields, and the
 * message reaches logs, dead-letter headers, `errorMessage` and `/status`.
 * From the body it keeps only CXone's error codes and the names of refused fields.
 */
import { CxoneError, type CxoneErrorCode } from '../errors.ts';
import { errorBodyDetail } from './error-detail.ts';

export interface HttpResponseLike {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bodyText: string;
}

export interface RequestContext {
  endpoint: string;
  method: string;
  /** The path template (`/api/v1/contacts/{contactId}`), not the filled path. */
  template: string;
}

/** The scope each endpoint needs (seed 000 "Error: 403", seed 002 "Prerequisites" and "Error: 403"). */
const SCOPE_BY_ENDPOINT: Record<string, string> = {
  contact: 'contacts:read',
  journey: 'journeys:trigger',
  trigger: 'journeys:trigger',
  'data-action': 'data-actions:read',
  invoke: 'data-actions:execute',
  'invoke-status': 'data-actions:execute',
};

/** Parses Retry-After in both forms: delta-seconds, or an HTTP-date. */
export function parseRetryAfterMs(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

export function classifyResponse(
  response: HttpResponseLike,
  context: RequestContext,
  nowMs: number,
): CxoneError | undefined {
  const { status } = response;
  if (status >= 200 && status < 300) return undefined;
  const where = `${context.method} ${context.template}`;
  const { codes, fields } = errorBodyDetail(response.bodyText);
  const detail = codes.length > 0 ? `: ${codes.join(', ')}` : '';
  const make = (
    code: CxoneErrorCode,
    message: string,
    retryable: boolean,
    retryAfterMs?: number,
  ): CxoneError =>
    new CxoneError(code, `${message} [${where} → ${status}${detail}]`, {
      status,
      ...(codes.length > 0 ? { cxoneCodes: codes } : {}),
      retryable,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  const retryAfterMs = parseRetryAfterMs(response.headers['retry-after'], nowMs);

  // The token endpoint refusing us is always the credentials or the scopes asked for (RFC 6749 5.2):
  // a configuration fault, never a fault of the record that happened to need the token.
  if (context.endpoint === 'token' && (status === 400 || status === 401 || status === 403)) {
    const oauthError = oauthErrorCode(response.bodyText);
    return make(
      'CXONE_AUTH_FAILED',
      oauthError === 'invalid_scope'
        ? 'the token endpoint refused the scopes asked for: grant them to the API application in the CXone admin console, or list only granted ones in cxone.auth.scopes'
        : `the token endpoint refused the credentials${oauthError ? ` (${oauthError})` : ''}: check cxone.auth.clientId/clientSecret (or accessKeyId/accessKeySecret for the access-key and password styles; a \${file:} secret is read again on every refusal), cxone.auth.style and the token endpoint`,
      false,
    );
  }

  switch (status) {
    case 400:
      return make(
        'CXONE_BAD_REQUEST',
        'CXone rejected the request as malformed: check the route mapping (contactId, event, deduplicationId, email and external_id identifiers) and the 100 KB body limit',
        false,
      );
    case 401:
      return make(
        'CXONE_AUTH_FAILED',
        'CXone did not accept the credentials or token: check cxone.auth.clientId/clientSecret, the token style (basic or form) and cxone.auth.tokenPath',
        false,
      );
    case 403: {
      const scope = SCOPE_BY_ENDPOINT[context.endpoint];
      const needed = scope
        ? `the ${scope} scope`
        : 'a scope (journeys:trigger, contacts:read, data-actions:read, data-actions:execute)';
      return make(
        'CXONE_FORBIDDEN',
        `the CXone OAuth client lacks ${needed} or the tenant permission for ${context.endpoint}: attach it to the client in the CXone admin console (data actions also need the Data Actions Execute role) and list it in cxone.auth.scopes`,
        false,
      );
    }
    case 404:
      return make(
        'CXONE_NOT_FOUND',
        `CXone has no such resource for ${context.endpoint}: check the id in the event or route, and cxone.paths for your tenant`,
        false,
      );
    case 408:
    case 425:
      return make('CXONE_TIMEOUT', 'CXone timed out the request; it will be retried', true, retryAfterMs);
    case 409:
      return make(
        'CXONE_CONFLICT',
        'CXone is still processing a request with the same Idempotency-Key; it will be retried',
        true,
        retryAfterMs,
      );
    case 422: {
      return make(
        'CXONE_UNPROCESSABLE',
        fields.length > 0
          ? `CXone refused these fields: ${fields.join(', ')}; fix the route's input mapping (or, for Idempotency-Key, the key template: one key was used for two different bodies)`
          : 'CXone could not process the request (input validation failed, or the Idempotency-Key was reused with a different body): fix the mapped inputs',
        false,
      );
    }
    case 429:
      return make(
        'CXONE_RATE_LIMITED',
        'CXone rate limit reached; waiting as told by Retry-After. Lower cxone rate settings if this persists',
        true,
        retryAfterMs,
      );
    case 504:
      return make(
        'CXONE_GATEWAY_TIMEOUT',
        'CXone gateway timed out (a synchronous data action ran over the platform limit, ~30 s): it will be retried; switch the action to asynchronous execution in the CXone admin console',
        true,
        retryAfterMs,
      );
    default:
      if (status >= 500)
        return make('CXONE_SERVER_ERROR', 'CXone server error; it will be retried', true, retryAfterMs);
      return make('CXONE_BAD_REQUEST', `CXone refused the request with HTTP ${status}`, false);
  }
}

function oauthErrorCode(bodyText: string): string | undefined {
  try {
    const error = (JSON.parse(bodyText) as { error?: unknown } | null)?.error;
    return typeof error === 'string' && /^[a-z_]{1,40}$/.test(error) ? error : undefined;
  } catch {
    return undefined;
  }
}
