/**
 * The operational HTTP endpoint: Prometheus metrics, liveness and readiness.
 * Liveness fails only when the connector has failed (restart me); readiness
 * only when it is running (send me traffic / count me as a healthy replica).
 */
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface HealthSource {
  state(): string;
}

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

export async function startOpsServer(
  registry: Registry,
  health: HealthSource,
  host: string,
  port: number,
): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const state = health.state();
      if (req.url === '/metrics') {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(await registry.metrics());
      } else if (req.url === '/healthz') {
        const ok = state !== 'failed';
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ state }));
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
