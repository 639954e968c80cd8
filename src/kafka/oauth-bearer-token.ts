/**
 * SASL/OAUTHBEARER's token from an OIDC provider (KIP-768's client side): the
 * client-credentials grant at the token endpoint, HTTP Basic with the client
 * id and secret, the scope if one is set. The token is cached and fetched again
 * `refreshMarginMs` before it expires; one fetch is in flight however many
 * broker connections authenticate at once.
 */
import { request } from 'undici';
import { KafkaSecurityError } from '../errors.ts';

export interface OAuthBearerSettings {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string | undefined;
  refreshMarginMs: number;
  /** Reads a mounted `${file:}` secret again, so a rotated secret works without a restart. */
  readClientSecret?: (() => string | undefined) | undefined;
}

export interface OAuthBearerDeps {
  now?: () => number;
  timeoutMs?: number;
}

type TokenProvider = () => Promise<{ value: string }>;

export function createOAuthBearerProvider(
  settings: OAuthBearerSettings,
  deps: OAuthBearerDeps = {},
): TokenProvider {
  const now = deps.now ?? Date.now;
  let cached: { value: string; expiresAtMs: number } | undefined;
  let inFlight: Promise<{ value: string; expiresAtMs: number }> | undefined;
  let clientSecret = settings.clientSecret;

  async function fetchToken(): Promise<{ value: string; expiresAtMs: number }> {
    clientSecret = settings.readClientSecret?.() ?? clientSecret;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (settings.scope !== undefined) form.set('scope', settings.scope);
    const basic = Buffer.from(
      `${encodeURIComponent(settings.clientId)}:${encodeURIComponent(clientSecret)}`,
      'utf8',
    ).toString('base64');
    const requestedAt = now();
    const where = `the OAUTHBEARER token endpoint kafka.sasl.tokenUrl (${originOf(settings.tokenUrl)})`;
    let status: number;
    let text: string;
    try {
      const response = await request(settings.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
        body: form.toString(),
        headersTimeout: deps.timeoutMs ?? 10_000,
        bodyTimeout: deps.timeoutMs ?? 10_000,
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      throw new KafkaSecurityError(
        'KAFKA_AUTH_FAILED',
        `${where} cannot be reached: ${(error as Error).message}`,
        {
          cause: error,
          retryable: true,
        },
      );
    }
    let parsed: { access_token?: unknown; expires_in?: unknown; error?: unknown } = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      // Reported below by what is missing.
    }
    if (status !== 200 || typeof parsed.access_token !== 'string') {
      const reason = typeof parsed.error === 'string' ? ` (${parsed.error.slice(0, 80)})` : '';
      throw new KafkaSecurityError(
        'KAFKA_AUTH_FAILED',
        `${where} refused the token request: HTTP ${status}${reason}; check kafka.sasl.clientId, clientSecret and scope`,
        { retryable: status >= 500 },
      );
    }
    const expiresInS = typeof parsed.expires_in === 'number' ? parsed.expires_in : 300;
    return { value: parsed.access_token, expiresAtMs: requestedAt + expiresInS * 1000 };
  }

  return async () => {
    if (cached && now() < cached.expiresAtMs - settings.refreshMarginMs) return { value: cached.value };
    inFlight ??= fetchToken().finally(() => {
      inFlight = undefined;
    });
    cached = await inFlight;
    return { value: cached.value };
  };
}

function originOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
