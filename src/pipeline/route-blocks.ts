/**
 * Routes blocked by a configuration fault (docs/exactly-once.md "Failure handling"): a
 * refused credential or scope, a configured journey, action or path that CXone
 * does not know, an untrusted certificate. Such a fault is the same for every
 * record of the route, so the route is blocked as a whole: its records wait
 * (thrown, never dead-lettered, never committed) without calling CXone, while
 * one probe every `probeIntervalMs` tries for real. The first probe that gets
 * through unblocks the route, so a fixed secret or a granted scope takes
 * effect within seconds, with no restart. Other routes are untouched.
 */
import type { Logger } from 'pino';
import { ConnectorError, type ErrorCode } from '../errors.ts';
import type { ConnectorMetrics } from '../observability/metrics.ts';

export interface RouteBlock {
  route: string;
  /** The code of the fault that blocked it, e.g. CXONE_AUTH_FAILED. */
  code: ErrorCode;
  /** What CXone said and what to fix. */
  reason: string;
  sinceMs: number;
}

export interface RouteBlocks {
  /** Throws ROUTE_BLOCKED while the route is blocked, except for one probe per probe interval. */
  admit(route: string): void;
  /** A configuration fault on `route`: blocks it and returns the error to throw for the record. */
  fail(route: string, error: ConnectorError): ConnectorError;
  /** A call on `route` got through: unblocks it. */
  succeed(route: string): void;
  list(): RouteBlock[];
}

export interface RouteBlocksOptions {
  /** How often a blocked route lets one record try for real. */
  probeIntervalMs: number;
  /** How often the error line that says what to fix is repeated while a route stays blocked. */
  logIntervalMs: number;
}

interface Blocked extends RouteBlock {
  nextProbeAtMs: number;
  loggedAtMs: number;
}

export function createRouteBlocks(
  options: RouteBlocksOptions,
  deps: { now: () => number; logger: Logger; metrics: ConnectorMetrics },
): RouteBlocks {
  const blocked = new Map<string, Blocked>();

  const publish = (): void => {
    deps.metrics.blockedRoutes.reset();
    for (const block of blocked.values()) deps.metrics.blockedRoutes.inc({ code: block.code });
  };

  const heldError = (block: Blocked, cause: unknown): ConnectorError =>
    new ConnectorError(
      'ROUTE_BLOCKED',
      'cxone',
      `route "${block.route}" is blocked by a configuration fault (${block.code}); the record waits: ${block.reason}`,
      { retryAfterMs: Math.max(1, block.nextProbeAtMs - deps.now()), cause },
    );

  return {
    admit(route) {
      const block = blocked.get(route);
      if (!block) return;
      const now = deps.now();
      if (now >= block.nextProbeAtMs) {
        // This record is the probe; the others keep waiting until it has an answer.
        block.nextProbeAtMs = now + options.probeIntervalMs;
        return;
      }
      throw heldError(block, undefined);
    },
    fail(route, error) {
      const now = deps.now();
      let block = blocked.get(route);
      if (!block) {
        block = {
          route,
          code: error.code,
          reason: error.message,
          sinceMs: now,
          nextProbeAtMs: now + options.probeIntervalMs,
          loggedAtMs: Number.NEGATIVE_INFINITY,
        };
        blocked.set(route, block);
        deps.metrics.routeBlocks.inc({ route, code: error.code });
      } else {
        block.code = error.code;
        block.reason = error.message;
      }
      publish();
      if (now - block.loggedAtMs >= options.logIntervalMs) {
        block.loggedAtMs = now;
        deps.logger.error(
          { route, code: error.code, blockedForMs: now - block.sinceMs },
          `route "${route}" is blocked: its records wait, nothing is dead-lettered or committed for them; fix this and it resumes by itself: ${error.message}`,
        );
      }
      return heldError(block, error);
    },
    succeed(route) {
      const block = blocked.get(route);
      if (!block) return;
      blocked.delete(route);
      publish();
      deps.logger.info(
        { route, code: block.code, blockedForMs: deps.now() - block.sinceMs },
        `route "${route}" is unblocked: its waiting records go on`,
      );
    },
    list: () =>
      [...blocked.values()].map(({ route, code, reason, sinceMs }) => ({ route, code, reason, sinceMs })),
  };
}
