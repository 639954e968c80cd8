/**
 * The CXone side of one instance, built from config: one HTTP pool, one rate
 * limiter and one circuit breaker for the tenant (every request, token and
 * pre-checks included, passes both), one token provider, and the journey and
 * data-action clients on top.
 */
import type { ConnectorConfig } from '../config/schema.ts';
import type { ConnectorMetrics } from '../observability/metrics.ts';
import { createAuthorizedSend } from './authorized-http.ts';
import { createCircuitBreaker, type CircuitBreaker } from './circuit-breaker.ts';
import { createDataActionClient, type DataActionClient } from './data-action-client.ts';
import { createCxoneHttp } from './http-client.ts';
import { createJourneyTriggerClient, type JourneyTriggerClient } from './journey-trigger-client.ts';
import { createRateLimiter } from './rate-limiter.ts';
import { createTokenProvider } from './token-provider.ts';

export interface CxoneClients {
  journeys: JourneyTriggerClient;
  dataActions: DataActionClient;
  breaker: CircuitBreaker;
  close(): Promise<void>;
}

/** The OAuth scopes the configured routes need, asked for when `cxone.auth.scopes` is not set. */
export function scopesForRoutes(routes: ConnectorConfig['routes']): string[] {
  const scopes = new Set<string>();
  for (const route of routes) {
    if (route.action === 'data-action') scopes.add('data-actions:read').add('data-actions:execute');
    else scopes.add('journeys:trigger').add('contacts:read');
  }
  return [...scopes];
}

export function createCxoneClients(
  config: Pick<ConnectorConfig, 'cxone' | 'routes'>,
  deps: { metrics: ConnectorMetrics; now: () => number },
): CxoneClients {
  const { cxone } = config;
  const breaker = createCircuitBreaker(cxone.breaker, { metrics: deps.metrics });
  const http = createCxoneHttp({
    baseUrl: cxone.baseUrl,
    requestTimeoutMs: cxone.requestTimeoutMs,
    connections: cxone.connections,
    metrics: deps.metrics,
    now: deps.now,
    limiter: createRateLimiter(cxone.rateLimit, { metrics: deps.metrics }),
    breaker,
  });
  const tokens = createTokenProvider(http, {
    ...cxone.auth,
    scopes: cxone.auth.scopes ?? scopesForRoutes(config.routes),
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
    close: () => http.close(),
  };
}
