/**
 * Sends CXone API requests with a Bearer token. A 401 means the token was
 * revoked or expired early; a 403 may mean a scope was granted after the token
 * was issued (scopes travel in the token). Either way: drop the token, fetch
 * one new token, retry once. The same answer with a fresh token is a fault the
 * operator must fix (CXONE_AUTH_FAILED, CXONE_FORBIDDEN: configuration faults).
 */
import { CxoneError } from '../errors.ts';
import type { CxoneHttp, CxoneRequest, CxoneResponse } from './http-client.ts';
import type { TokenProvider } from './token-provider.ts';

export type AuthorizedSend = (request: CxoneRequest) => Promise<CxoneResponse>;

const REFRESH_ON = new Set([401, 403]);

export function createAuthorizedSend(http: CxoneHttp, tokens: TokenProvider): AuthorizedSend {
  const sendWith = async (request: CxoneRequest, token: string): Promise<CxoneResponse> =>
    http.send({ ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } });

  return async (request) => {
    const token = await tokens.getToken(request.signal);
    try {
      return await sendWith(request, token);
    } catch (error) {
      if (!(error instanceof CxoneError) || !REFRESH_ON.has(error.status ?? 0)) throw error;
      tokens.invalidate(token);
      const fresh = await tokens.getToken(request.signal);
      try {
        return await sendWith(request, fresh);
      } catch (second) {
        if (second instanceof CxoneError && second.status === 401) {
          throw new CxoneError(
            'CXONE_AUTH_FAILED',
            `CXone refused a freshly issued token for ${request.endpoint}: the OAuth client may be disabled or the token audience wrong; check cxone.auth and the tenant's API application`,
            { status: 401, cause: second, retryable: false },
          );
        }
        throw second;
      }
    }
  };
}
