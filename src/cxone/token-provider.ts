/**
 * OAuth2 client credentials, in both styles of the seed documents:
 * - `basic` (seed 000 "Authentication Setup"): HTTP Basic client_id:secret,
 *   form `grant_type=client_credentials`, at /api/v2/oauth/token;
 * - `form` (seed 002 "Authentication Setup"): form grant_type, client_id,
 *   client_secret and scope, at /oauth2/token.
 * The token is cached and refreshed `refreshMarginMs` before it expires; one
 * refresh is in flight however many requests wait for it (single flight).
 */
import { CxoneError } from '../errors.ts';
import type { CxoneHttp } from './http-client.ts';

export interface TokenProviderOptions {
  style: 'basic' | 'form';
  tokenPath: string;
  clientId: string;
  clientSecret: string;
  /**
   * Reads the secret anew (a mounted `${file:}` secret): asked before every token request, so a
   * rotated Kubernetes secret takes effect at the next token, or at once after a refusal.
   * Undefined (file missing mid-rotation) keeps the last secret read.
   */
  readClientSecret?: (() => string | undefined) | undefined;
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
  let secret = options.clientSecret;

  async function fetchToken(signal?: AbortSignal): Promise<CachedToken> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    secret = options.readClientSecret?.() ?? secret;
    if (options.style === 'basic') {
      const basic = Buffer.from(`${options.clientId}:${secret}`, 'utf8').toString('base64');
      headers.authorization = `Basic ${basic}`;
    } else {
      form.set('client_id', options.clientId);
      form.set('client_secret', secret);
    }
    if (options.scopes.length > 0) form.set('scope', options.scopes.join(' '));
    const requestedAt = now();
    const response = await http.send({
      endpoint: 'token',
      method: 'POST',
      path: options.tokenPath,
      headers,
      body: form.toString(),
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
