/**
 * The operational HTTP endpoint: Prometheus metrics, liveness, readiness and
 * status. Liveness fails only when the connector has failed (restart me);
 * readiness only when it is not running. A route blocked by a configuration
 * fault makes the status `degraded` with the reason, on /healthz and /status,
 * but fails neither probe: a restart would not fix a wrong secret or scope,
 * and the records wait safely until it is fixed.
 * `/loglevel` reads (GET) and sets (PUT, the level as the body) the log level
 * of the running process.
 */
import { createServer, type Server } from 'node:http';
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

const MAX_LEVEL_BODY = 64;

export async function startOpsServer(
  registry: Registry,
  health: HealthSource,
  host: string,
  port: number,
  logLevel?: LogLevelControl,
): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const state = health.state();
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
      } else if (req.url === '/healthz' || req.url === '/status') {
        const ok = state !== 'failed';
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify(health.health?.() ?? { state }));
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
