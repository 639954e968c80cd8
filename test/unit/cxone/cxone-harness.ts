// Shared setup for CXone client tests: the real simulator on port 0 and the real client stack
// (undici pool → limiter/breaker → token provider → authorized send) pointed at it.
import type { SimOptionsInput } from '../../../src/sim/server.ts';
import { createAuthorizedSend, type AuthorizedSend } from '../../../src/cxone/authorized-http.ts';
import type { CircuitBreaker } from '../../../src/cxone/circuit-breaker.ts';
import { createCxoneHttp, type CxoneHttp } from '../../../src/cxone/http-client.ts';
import type { RateLimiter } from '../../../src/cxone/rate-limiter.ts';
import {
  createTokenProvider,
  type TokenProvider,
  type TokenStyle,
} from '../../../src/cxone/token-provider.ts';

const TOKEN_PATHS: Record<TokenStyle, string> = {
  basic: '/api/v2/oauth/token',
  form: '/oauth2/token',
  'access-key': '/authentication/v1/token/access-key',
  password: '/auth/token',
};
import { startSim, type RunningSim } from '../sim/sim-harness.ts';

export const FAST_RETRY = {
  maxAttempts: 4,
  initialDelayMs: 5,
  maxDelayMs: 40,
  multiplier: 2,
  maxElapsedMs: 5_000,
};

export interface CxoneStack extends RunningSim {
  http: CxoneHttp;
  tokens: TokenProvider;
  send: AuthorizedSend;
}

export interface StackOptions {
  sim?: SimOptionsInput;
  style?: TokenStyle;
  accessKeyId?: string;
  accessKeySecret?: string;
  clientId?: string;
  clientSecret?: string;
  readClientSecret?: () => string | undefined;
  scopes?: string[];
  refreshMarginMs?: number;
  now?: () => number;
  limiter?: RateLimiter;
  breaker?: CircuitBreaker;
  requestTimeoutMs?: number;
}

export async function startStack(options: StackOptions = {}): Promise<CxoneStack> {
  const running = await startSim(options.sim ?? {});
  const http = createCxoneHttp({
    baseUrl: running.url,
    requestTimeoutMs: options.requestTimeoutMs ?? 2_000,
    connections: 16,
    ...(options.limiter ? { limiter: options.limiter } : {}),
    ...(options.breaker ? { breaker: options.breaker } : {}),
  });
  const style = options.style ?? 'form';
  const tokens = createTokenProvider(http, {
    style,
    tokenPath: TOKEN_PATHS[style],
    accessKeyId: options.accessKeyId ?? 'sim-access-key',
    accessKeySecret: options.accessKeySecret ?? 'sim-access-secret',
    clientId: options.clientId ?? 'sim-client',
    clientSecret: options.clientSecret ?? 'sim-secret',
    scopes: options.scopes ?? [],
    readClientSecret: options.readClientSecret,
    refreshMarginMs: options.refreshMarginMs ?? 60_000,
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    ...running,
    http,
    tokens,
    send: createAuthorizedSend(http, tokens),
    close: async () => {
      await http.close();
      await running.close();
    },
  };
}

/** Requests the simulator answered, by route template and status, e.g. count(stack, 'GET /api/v1/contacts/{id}'). */
export function count(stack: RunningSim, template: string, status?: string): number {
  const byStatus = stack.sim.stats().requests[template] ?? {};
  if (status !== undefined) return byStatus[status] ?? 0;
  return Object.values(byStatus).reduce((a, b) => a + b, 0);
}

/** A contact lookup, as the journey client sends it: the filled path and its template. */
export const CONTACT = {
  endpoint: 'contact',
  method: 'GET',
  path: '/api/v1/contacts/c-000001',
  template: '/api/v1/contacts/{contactId}',
} as const;
