/**
 * Sends CXone API requests with a Bearer token. A 401 means the token was
 * revoked or expired early: drop it, fetch one new token, retry once; a second
 * 401 is an auth error the operator must fix.
 */
import { CxoneError } from '../errors.ts';
import type { CxoneHttp, CxoneRequest, CxoneResponse } from './http-client.ts';
import type { TokenProvider } from './token-provider.ts';

export type AuthorizedSend = (request: CxoneRequest) => Promise<CxoneResponse>;

export function createAuthorizedSend(http: CxoneHttp, tokens: TokenProvider): AuthorizedSend {
  const sendWith = async (request: CxoneRequest, token: string): Promise<CxoneResponse> =>
    http.send({ ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } });

  return async (request) => {
    const token = await tokens.getToken(request.signal);
    try {
      return await sendWith(request, token);
    } catch (error) {
      if (!(error instanceof CxoneError) || error.status !== 401) throw error;
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
