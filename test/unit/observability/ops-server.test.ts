/**
 * The ops port's two kinds of endpoint: open read-only ones for probes and
 * Prometheus, and admin ones (`/status`, `/loglevel`) behind a bearer token,
 * off without one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createLogLevelControl, createLogger } from '../../../src/observability/logger.ts';
import { startOpsServer, type OpsServer } from '../../../src/observability/http-server.ts';

const TOKEN = 'ops-admin-token-0123456789abcdef-xyz';
const health = {
  state: () => 'running',
  health: () => ({
    status: 'degraded',
    blockedRoutes: [{ route: 'r', reason: 'CXONE_FORBIDDEN: the scope…' }],
  }),
};

async function serve(adminToken?: string): Promise<{ ops: OpsServer; url: (path: string) => string }> {
  const logLevel = createLogLevelControl(createLogger({ level: 'silent' }));
  const ops = await startOpsServer(new Registry(), health, {
    host: '127.0.0.1',
    port: 0,
    logLevel,
    ...(adminToken === undefined ? {} : { adminToken }),
  });
  return { ops, url: (path) => `http://127.0.0.1:${ops.port}${path}` };
}

describe('ops server with an admin token', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  before(async () => {
    server = await serve(TOKEN);
  });
  after(() => server.ops.close());

  it('keeps /metrics, /healthz and /readyz open, and /healthz says no reason', async () => {
    for (const path of ['/metrics', '/healthz', '/readyz']) {
      assert.equal((await fetch(server.url(path))).status, 200, path);
    }
    const body = await (await fetch(server.url('/healthz'))).json();
    assert.deepEqual(body, { state: 'running', status: 'degraded' });
  });

  for (const path of ['/status', '/loglevel']) {
    it(`${path}: no token 401, a wrong token 401, the right one 200`, async () => {
      const none = await fetch(server.url(path));
      assert.equal(none.status, 401);
      assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
      assert.doesNotMatch(await none.text(), /CXONE_FORBIDDEN|ops-admin/);
      for (const wrong of [`${TOKEN}x`, TOKEN.slice(0, -1), 'x', '', `Basic ${TOKEN}`]) {
        const response = await fetch(server.url(path), {
          headers: { authorization: wrong.startsWith('Basic') ? wrong : `Bearer ${wrong}` },
        });
        assert.equal(response.status, 401, `token "${wrong}"`);
      }
      const right = await fetch(server.url(path), { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(right.status, 200);
    });
  }

  it('a PUT /loglevel without the token changes nothing', async () => {
    const put = await fetch(server.url('/loglevel'), { method: 'PUT', body: 'debug' });
    assert.equal(put.status, 401);
    const level = await fetch(server.url('/loglevel'), { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.deepEqual(await level.json(), { level: 'silent' });
  });

  it('/status with the token shows the blocked route and its reason', async () => {
    const body = (await (
      await fetch(server.url('/status'), { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as { blockedRoutes: { route: string }[] };
    assert.equal(body.blockedRoutes[0]?.route, 'r');
  });
});

describe('ops server without an admin token', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  before(async () => {
    server = await serve();
  });
  after(() => server.ops.close());

  it('serves /status and /loglevel to nobody, naming the setting that turns them on', async () => {
    for (const path of ['/status', '/loglevel']) {
      const response = await fetch(server.url(path), { headers: { authorization: 'Bearer anything' } });
      assert.equal(response.status, 404);
      assert.match(await response.text(), /observability\.adminToken/);
    }
    assert.equal((await fetch(server.url('/metrics'))).status, 200);
  });
});
