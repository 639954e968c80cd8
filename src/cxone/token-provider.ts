/**
 * The CXone access token, in the seeds' two styles and CXone's two documented
 * tenant flows:
 * - `basic` (seed 000 "Authentication Setup"): HTTP Basic client_id:secret,
 *   form `grant_type=client_credentials`, at /api/v2/oauth/token;
 * - `form` (seed 002 "Authentication Setup"): form grant_type, client_id,
 *   client_secret and scope, at /oauth2/token;
 * - `access-key` (CXone "access key" authentication): POST JSON
 *   `{ accessKeyId, accessKeySecret }` to /authentication/v1/token/access-key;
 * - `password` (CXone "back-end application" OAuth2 flow): form
 *   `grant_type=password`, the access key id and secret as username and
 *   password, HTTP Basic with the registered application's client id and secret.
 * All four answer `{ access_token, expires_in }`. The token is cached and
 * refreshed `refreshMarginMs` before it expires; one refresh is in flight
 * however many requests wait for it (single flight).
 */
import { CxoneError } from '../errors.ts';
import type { CxoneHttp } from './http-client.ts';

export const TOKEN_STYLES = ['basic', 'form', 'access-key', 'password'] as const;
export type TokenStyle = (typeof TOKEN_STYLES)[number];

export interface TokenProviderOptions {
  style: TokenStyle;
  tokenPath: string;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  accessKeyId?: string | undefined;
  accessKeySecret?: string | undefined;
  /**
   * Read the secrets anew (a mounted `${file:}` secret): asked before every token request, so a
   * rotated Kubernetes secret takes effect at the next token, or at once after a refusal.
   * Undefined (file missing mid-rotation) keeps the last secret read.
   */
  readClientSecret?: (() => string | undefined) | undefined;
  readAccessKeySecret?: (() => string | undefined) | undefined;
  scopes: readonly string[];
  refreshMarginMs: number;
  now?: () => number;
}

export interface TokenProvider {
  /** A valid access token, fetching one if none is cached or it is about to expire. */
  getToken(signal?: AbortSignal): Promise<string>;
  /** Drops `token` if it is still the cached one (after a 401), so the next call fetches anew. */
  invalidate(token: string): void;
}

interface CachedToken {
  value: string;
  expiresAtMs: number;
}

export function createTokenProvider(http: CxoneHttp, options: TokenProviderOptions): TokenProvider {
  const now = options.now ?? Date.now;
  let cached: CachedToken | undefined;
  let inFlight: Promise<CachedToken> | undefined;
  let clientSecret = options.clientSecret ?? '';
  let accessKeySecret = options.accessKeySecret ?? '';

  /** The request of the configured style, with the secrets as they are on disk now. */
  function tokenRequest(): { headers: Record<string, string>; body: string } {
    clientSecret = options.readClientSecret?.() ?? clientSecret;
    accessKeySecret = options.readAccessKeySecret?.() ?? accessKeySecret;
    const clientId = options.clientId ?? '';
    if (options.style === 'access-key') {
      return {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ accessKeyId: options.accessKeyId ?? '', accessKeySecret }),
      };
    }
    const form =
      options.style === 'password'
        ? new URLSearchParams({
            grant_type: 'password',
            username: options.accessKeyId ?? '',
            password: accessKeySecret,
          })
        : new URLSearchParams({ grant_type: 'client_credentials' });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (options.style === 'form') {
      form.set('client_id', clientId);
      form.set('client_secret', clientSecret);
    } else {
      headers.authorization = `Basic ${Buffer.from(`${clientId}:${clientSecret}`, 'utf8').toString('base64')}`;
    }
    if (options.scopes.length > 0) form.set('scope', options.scopes.join(' '));
    return { headers, body: form.toString() };
  }

  async function fetchToken(signal?: AbortSignal): Promise<CachedToken> {
    const { headers, body } = tokenRequest();
    const requestedAt = now();
    const response = await http.send({
      endpoint: 'token',
      method: 'POST',
      path: options.tokenPath,
      template: options.tokenPath,
      headers,
      body,
      ...(signal ? { signal } : {}),
    });
    let parsed: { access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(response.bodyText) as typeof parsed;
    } catch (error) {
      throw new CxoneError('CXONE_BAD_RESPONSE', `token endpoint ${options.tokenPath} did not return JSON`, {
        cause: error,
        retryable: true,
      });
    }
    if (typeof parsed.access_token !== 'string' || typeof parsed.expires_in !== 'number') {
      throw new CxoneError(
        'CXONE_BAD_RESPONSE',
        `token endpoint ${options.tokenPath} returned no access_token/expires_in: check cxone.auth.tokenPath and cxone.auth.style`,
        { retryable: false },
      );
    }
    // Expiry counts from when we asked, so network time never makes us trust a stale token.
    return { value: parsed.access_token, expiresAtMs: requestedAt + parsed.expires_in * 1000 };
  }

  return {
    async getToken(signal) {
      if (cached && now() < cached.expiresAtMs - options.refreshMarginMs) return cached.value;
      inFlight ??= fetchToken(signal).finally(() => {
        inFlight = undefined;
      });
      cached = await inFlight;
      return cached.value;
    },
    invalidate(token) {
      if (cached?.value === token) cached = undefined;
    },
  };
}
