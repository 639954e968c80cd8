/**
 * The operational HTTP endpoint: Prometheus metrics, liveness, readiness and
 * status. Liveness fails only when the connector has failed (restart me);
 * readiness only when it is not running. A route blocked by a configuration
 * fault makes the status `degraded` with the reason, on /healthz and /status,
 * but fails neither probe: a restart would not fix a wrong secret or scope,
 * and the records wait safely until it is fixed.
 * `/loglevel` reads (GET) and sets (PUT, the level as the body) the log level
 * of the running process.
 *
 * `/metrics`, `/healthz` and `/readyz` are open: probes and Prometheus read them,
 * and they say only how the process is. `/status` (why a route is blocked) and
 * `/loglevel` (which can silence the logs) need `Authorization: Bearer <adminToken>`,
 * and are off without a token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { LogLevelControl } from './logger.ts';

export interface HealthSource {
  state(): string;
  /** Details for /healthz and /status: status ok, degraded (a route blocked, and why) or down. */
  health?(): { status: string };
}

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

export interface OpsServerOptions {
  host: string;
  port: number;
  logLevel?: LogLevelControl;
  /** The bearer token `/status` and `/loglevel` ask for (observability.adminToken); without one they are off. */
  adminToken?: string | undefined;
}

const MAX_LEVEL_BODY = 64;
const ADMIN_PATHS = new Set(['/status', '/loglevel']);

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Whether the request carries the admin token. Both sides are hashed first, so the comparison
 * takes the same time whatever the token's length and however much of it matches.
 */
function authorized(req: IncomingMessage, expected: Buffer): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return timingSafeEqual(digest(match?.[1] ?? ''), expected) && match !== null;
}

/** Answers an admin path that may not be served (off, or not authorized); true when it answered. */
function refusedAdmin(req: IncomingMessage, res: ServerResponse, expected: Buffer | undefined): boolean {
  if (expected === undefined) {
    res
      .writeHead(404, { 'content-type': 'text/plain' })
      .end(`${req.url ?? ''} is off: set observability.adminToken (a mounted secret) to enable it\n`);
    return true;
  }
  if (authorized(req, expected)) return false;
  res
    .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="cxone-connector"' })
    .end('an admin token is needed: Authorization: Bearer <observability.adminToken>\n');
  return true;
}

export async function startOpsServer(
  registry: Registry,
  health: HealthSource,
  options: OpsServerOptions,
): Promise<OpsServer> {
  const { host, port, logLevel } = options;
  const expected = options.adminToken === undefined ? undefined : digest(options.adminToken);
  const server: Server = createServer((req, res) => {
    void (async () => {
      const state = health.state();
      if (ADMIN_PATHS.has(req.url ?? '') && refusedAdmin(req, res, expected)) return;
      if (req.url === '/loglevel' && logLevel) {
        if (req.method === 'PUT' || req.method === 'POST') {
          const body = (await readBody(req, MAX_LEVEL_BODY)).trim();
          try {
            logLevel.set(body);
          } catch (error) {
            res.writeHead(400, { 'content-type': 'text/plain' }).end(`${(error as Error).message}\n`);
            return;
          }
        } else if (req.method !== 'GET') {
          res.writeHead(405, { allow: 'GET, PUT' }).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ level: logLevel.get() }));
      } else if (req.url === '/metrics') {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(await registry.metrics());
      } else if (req.url === '/status') {
        const ok = state !== 'failed';
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify(health.health?.() ?? { state }));
      } else if (req.url === '/healthz') {
        // The status word only: why a route is blocked is for whoever holds the admin token.
        const ok = state !== 'failed';
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ state, status: health.health?.().status ?? (ok ? 'ok' : 'down') }));
      } else if (req.url === '/readyz') {
        const ok = state === 'running';
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ state }));
      } else {
        res.writeHead(404).end();
      }
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function readBody(req: NodeJS.ReadableStream, limit: number): Promise<string> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > limit) return text.slice(0, limit);
  }
  return text;
}
