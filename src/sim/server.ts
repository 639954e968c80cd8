// The CXone simulator's HTTP server: routes, and the per-request pipeline that applies the hard
// rate limit, random faults and latency to /api requests (never to /_sim). See options.ts for
// the knobs, fixtures.ts for what exists, idempotency.ts and faults.ts for the nasty parts.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { createTokenRoutes } from './auth.ts';
import { createControlRoutes } from './control-routes.ts';
import { createSimControl } from './sim-control.ts';
import { createDataActionRoutes } from './data-actions.ts';
import { createEffectLedger } from './effects.ts';
import { drawFault, drawLatencyMs, retryAfterValue } from './faults.ts';
import type { Fault } from './faults.ts';
import { createFixtureStore } from './fixtures.ts';
import type { Reply } from './http-io.ts';
import { readBody, sendReply } from './http-io.ts';
import { createIdempotencyStore } from './idempotency.ts';
import { createInvocationStore } from './invocations.ts';
import { createJourneyRoutes } from './journeys.ts';
import type { RuntimeOptions, RuntimeOptionsPatch, SimOptions, SimOptionsInput } from './options.ts';
import { parseSimOptions, pickRuntime } from './options.ts';
import { createRandom, deriveSeed } from './random.ts';
import { createTokenBucket } from './rate-limiter.ts';
import { createRouter } from './router.ts';
import { createStatsCounters } from './stats.ts';
import type { SimStats } from './stats.ts';
import { createTokenStore } from './tokens.ts';
import type { Route, RouteContext, SimWorld } from './world.ts';

export type { SimStats } from './stats.ts';
export type { RuntimeOptions, RuntimeOptionsPatch, SimOptions, SimOptionsInput } from './options.ts';

export interface SimDeps {
  logger?: Logger;
  // Clock for token expiry, idempotency expiry, async progress and the rate limiter.
  now?: () => number;
}

export interface Simulator {
  readonly options: SimOptions;
  listen(port: number, host: string): Promise<{ port: number; url: string }>;
  close(): Promise<void>;
  stats(options?: { byKey?: boolean }): SimStats;
  setFaults(partial: RuntimeOptionsPatch): void;
  faults(): RuntimeOptions;
  reset(): void;
  revokeTokens(): number;
}

const noDelay = (): Promise<void> => Promise.resolve();

export function createSimulator(input: SimOptionsInput = {}, deps: SimDeps = {}): Simulator {
  const options = parseSimOptions(input);
  const now = deps.now ?? Date.now;
  const logger = deps.logger ?? pino({ level: 'silent' });
  let idSeq = 0;
  const world: SimWorld = {
    now,
    logger,
    options,
    runtime: pickRuntime(options),
    fixtures: createFixtureStore(options),
    tokens: createTokenStore(now),
    idempotency: createIdempotencyStore(now),
    effects: createEffectLedger(options.maxRetainedEffects),
    invocations: createInvocationStore(now),
    stats: createStatsCounters(),
    faultRandom: createRandom(deriveSeed(options.seed, 1)),
    asyncRandom: createRandom(deriveSeed(options.seed, 2)),
    // Ids keep counting across resets, so an old id never names a new thing.
    nextId: (prefix) => `${prefix}-${String(++idSeq).padStart(8, '0')}`,
  };
  const bucket = createTokenBucket(now);
  const closing = new AbortController();
  const hangs = new Set<NodeJS.Timeout>();

  const control = createSimControl(world, () => bucket.reset());

  const routes: Route[] = [
    ...createTokenRoutes(world),
    ...createJourneyRoutes(world),
    ...createDataActionRoutes(world),
    ...createControlRoutes(world, control),
  ];
  const router = createRouter(routes);

  function makeDelay(): () => Promise<void> {
    let pending: Promise<void> | undefined;
    return () => {
      if (pending) return pending;
      const ms = drawLatencyMs(world.faultRandom, world.runtime);
      if (ms <= 0) pending = Promise.resolve();
      else {
        world.stats.faults.latency++;
        pending = sleep(ms, undefined, { signal: closing.signal });
      }
      return pending;
    };
  }

  function tooManyRequests(retryAfterS: number, message: string): Reply {
    const value = retryAfterValue(retryAfterS, world.runtime.retryAfterFormat, now());
    return { status: 429, headers: { 'retry-after': value }, body: { error: 'too_many_requests', message } };
  }

  function deliverFault(fault: Fault, res: ServerResponse): number | string {
    const { faults } = world.stats;
    switch (fault.kind) {
      case '429':
        faults.random429++;
        sendReply(res, tooManyRequests(world.runtime.retryAfterS, 'Rate limit exceeded (simulated)'));
        return 429;
      case '5xx': {
        faults.http5xx++;
        const retryAfter = retryAfterValue(world.runtime.retryAfterS, world.runtime.retryAfterFormat, now());
        sendReply(res, {
          status: fault.status,
          ...(fault.status === 503 ? { headers: { 'retry-after': retryAfter } } : {}),
          body: { error: 'server_error', message: `Simulated server error ${fault.status}` },
        });
        return fault.status;
      }
      case 'hang': {
        faults.hang++;
        const timer = setTimeout(() => {
          hangs.delete(timer);
          res.destroy();
        }, world.runtime.hangMs);
        hangs.add(timer);
        res.once('close', () => {
          clearTimeout(timer);
          hangs.delete(timer);
        });
        return 'hang';
      }
      case 'drop':
        faults.drop++;
        res.destroy();
        return 'drop';
    }
  }

  async function serveApi(route: Route, ctx: RouteContext, res: ServerResponse): Promise<number | string> {
    const runtime = world.runtime;
    const admitted = bucket.take(runtime.rateLimitRps, runtime.rateLimitBurst);
    if (!admitted.ok) {
      world.stats.faults.rateLimited++;
      await ctx.delay();
      sendReply(res, tooManyRequests(admitted.retryAfterS, 'Tenant rate limit exceeded'));
      return 429;
    }
    const fault = drawFault(world.faultRandom, runtime, route.effectful === true);
    if (fault && !fault.afterEffect) {
      await ctx.delay();
      return deliverFault(fault, res);
    }
    const reply = await route.handle(ctx);
    await ctx.delay();
    if (fault) {
      world.stats.faults.afterEffect++;
      return deliverFault(fault, res);
    }
    sendReply(res, reply);
    return reply.status;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    const body = await readBody(req, options.maxBodyBytes);
    const match = router.match(method, path);
    if (match.kind !== 'found') {
      const reply: Reply =
        match.kind === 'not-found'
          ? { status: 404, body: { error: 'not_found', message: `No route for ${method} ${path}` } }
          : {
              status: 405,
              headers: { allow: match.allow.join(', ') },
              body: { error: 'method_not_allowed' },
            };
      world.stats.countRequest('unmatched', reply.status);
      sendReply(res, reply);
      return;
    }
    const { route, params } = match;
    const ctx: RouteContext = {
      req,
      method,
      path,
      query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
      params,
      body: body.bytes,
      bodyTooLarge: body.tooLarge,
      delay: route.admin ? noDelay : makeDelay(),
    };
    let outcome: number | string;
    if (route.admin) {
      const reply = await route.handle(ctx);
      sendReply(res, reply);
      outcome = reply.status;
    } else {
      outcome = await serveApi(route, ctx, res);
      world.stats.countRequest(`${method} ${route.template}`, outcome);
    }
    // Request log at debug only, and never with headers: they carry bearer tokens and secrets.
    if (logger.isLevelEnabled('debug')) {
      const ms = Math.round((performance.now() - started) * 10) / 10;
      logger.debug({ method, route: route.template, outcome, ms }, 'sim request');
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (closing.signal.aborted || (err as Error).message === 'request closed before its body was read') {
        res.destroy();
        return;
      }
      logger.error({ err }, 'simulator request failed');
      if (!res.headersSent) sendReply(res, { status: 500, body: { error: 'internal_error' } });
      else res.destroy();
    });
  });
  // Longer than common client keep-alive timeouts, so clients never reuse a socket we just closed
  // (that would look like an injected drop in load tests).
  server.keepAliveTimeout = 65_000;

  return {
    options,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const urlHost = host.includes(':') ? `[${host}]` : host;
          resolve({ port: address.port, url: `http://${urlHost}:${address.port}` });
        });
      });
    },
    close() {
      closing.abort();
      for (const timer of hangs) clearTimeout(timer);
      hangs.clear();
      if (!server.listening) return Promise.resolve();
      return new Promise((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
    stats: (opts) => control.stats(opts),
    setFaults: (partial) => control.setFaults(partial),
    faults: () => control.faults(),
    reset: () => control.reset(),
    revokeTokens: () => control.revokeTokens(),
  };
}
