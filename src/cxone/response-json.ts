/**
 * Parses a CXone JSON response body. A body that is not a JSON object is a
 * broken or intercepted response (a proxy's HTML page, a truncated reply), so
 * it is a retryable CXONE_BAD_RESPONSE rather than a verdict about the record.
 */
import { CxoneError } from '../errors.ts';
import type { CxoneResponse } from './http-client.ts';

export function parseJsonObject(response: CxoneResponse, what: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(response.bodyText);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch (error) {
    throw new CxoneError('CXONE_BAD_RESPONSE', `CXone ${what} response is not JSON`, {
      cause: error,
      retryable: true,
    });
  }
  throw new CxoneError('CXONE_BAD_RESPONSE', `CXone ${what} response is not a JSON object`, {
    retryable: true,
  });
}

/** True when CXone answered with the stored response of an earlier request with the same Idempotency-Key. */
export function isReplayed(response: CxoneResponse): boolean {
  const value = response.headers['idempotent-replayed'];
  return (Array.isArray(value) ? value[0] : value) === 'true';
}
