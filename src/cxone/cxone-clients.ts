/**
 * The CXone side of one instance, built from config: one HTTP pool, one rate
 * limiter and one circuit breaker for the tenant (every request, token and
 * pre-checks included, passes both), one token provider, and the journey and
 * data-action clients on top.
 */
import type { ConnectorMetrics } from '../observability/metrics.ts';
import { createAuthorizedSend } from './authorized-http.ts';
import { createCircuitBreaker, type CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.ts';
import {
  createDataActionClient,
  type DataActionClient,
  type DataActionPaths,
  type DataActionTimings,
} from './data-action-client.ts';
import { createCxoneHttp } from './http-client.ts';
import {
  createJourneyTriggerClient,
  type JourneyPaths,
  type JourneyTriggerClient,
} from './journey-trigger-client.ts';
import { createRateLimiter, type RateLimiterOptions } from './rate-limiter.ts';
import type { RetryPolicy } from './retry.ts';
import { createTokenProvider, type TokenProviderOptions } from './token-provider.ts';

/** Everything the CXone side needs, compiled from the `cxone` settings (config/compile-config.ts). */
export interface CxoneClientsOptions {
  baseUrl: string;
  requestTimeoutMs: number;
  connections: number;
  /** `tokenUrl`: the token endpoint as a full URL, when it is on another host than baseUrl. */
  auth: Omit<TokenProviderOptions, 'now'> & { tokenUrl?: string | undefined };
  paths: JourneyPaths & DataActionPaths;
  retry: RetryPolicy;
  journeyCacheTtlMs: number;
  contactCacheTtlMs: number;
  dataActions: DataActionTimings;
  rateLimit: RateLimiterOptions;
  breaker: CircuitBreakerOptions;
}

export interface CxoneClients {
  journeys: JourneyTriggerClient;
  dataActions: DataActionClient;
  breaker: CircuitBreaker;
  /** This instance's fraction of the group-wide rate limit (cxone.rateLimit is the tenant's). */
  setRateShare(share: number): void;
  /** A token as the configured flow gets it: for the preflight. */
  token(signal?: AbortSignal): Promise<string>;
  close(): Promise<void>;
}

export function createCxoneClients(
  cxone: CxoneClientsOptions,
  deps: { metrics: ConnectorMetrics; now: () => number },
): CxoneClients {
  const breaker = createCircuitBreaker(cxone.breaker, { metrics: deps.metrics });
  const limiter = createRateLimiter(cxone.rateLimit, { metrics: deps.metrics });
  const http = createCxoneHttp({
    baseUrl: cxone.baseUrl,
    requestTimeoutMs: cxone.requestTimeoutMs,
    connections: cxone.connections,
    metrics: deps.metrics,
    now: deps.now,
    limiter,
    breaker,
  });
  // A token endpoint on another host gets a connection of its own, outside the tenant API's limiter.
  const tokenUrl = cxone.auth.tokenUrl === undefined ? undefined : new URL(cxone.auth.tokenUrl);
  const tokenHttp =
    tokenUrl === undefined
      ? http
      : createCxoneHttp({
          baseUrl: tokenUrl.origin,
          requestTimeoutMs: cxone.requestTimeoutMs,
          connections: 2,
          metrics: deps.metrics,
          now: deps.now,
        });
  const { tokenUrl: _tokenUrl, ...auth } = cxone.auth;
  const tokens = createTokenProvider(tokenHttp, {
    ...auth,
    ...(tokenUrl === undefined ? {} : { tokenPath: `${tokenUrl.pathname}${tokenUrl.search}` }),
    now: deps.now,
  });
  const send = createAuthorizedSend(http, tokens);
  return {
    journeys: createJourneyTriggerClient(send, {
      paths: cxone.paths,
      retry: cxone.retry,
      journeyCacheTtlMs: cxone.journeyCacheTtlMs,
      contactCacheTtlMs: cxone.contactCacheTtlMs,
      now: deps.now,
    }),
    dataActions: createDataActionClient(send, {
      ...cxone.dataActions,
      paths: cxone.paths,
      retry: cxone.retry,
      now: deps.now,
    }),
    breaker,
    token: (signal) => tokens.getToken(signal),
    setRateShare: (share) => limiter.setShare(share),
    close: async () => {
      await http.close();
      if (tokenHttp !== http) await tokenHttp.close();
    },
  };
}
