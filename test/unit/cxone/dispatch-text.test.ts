import assert from 'node:assert/strict';
import { getEventListeners, once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Pool } from 'undici';
import { createTextDispatch } from '../../../src/cxone/dispatch-text.ts';

const BIG = 'é'.repeat(100_000);

describe('dispatch-text: one exchange on undici’s handler API', () => {
  let server: Server;
  let pool: Pool;
  let received = 0;

  before(async () => {
    server = createServer((request, response) => {
      received++;
      if (request.url === '/hang') return; // never answers: only a cancel ends it
      if (request.url === '/big') {
        response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        // Written in pieces, so the reply arrives as many chunks and one multi-byte char spans two.
        const bytes = Buffer.from(BIG, 'utf8');
        for (let at = 0; at < bytes.length; at += 7_777) response.write(bytes.subarray(at, at + 7_777));
        response.end();
        return;
      }
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        response.writeHead(201, { 'idempotent-replayed': 'true', 'set-cookie': ['a=1', 'b=2'] });
        response.end(JSON.stringify({ echoed: body, method: request.method }));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 20 });
  });

  after(async () => {
    await pool.destroy();
    server.closeAllConnections();
    server.close();
  });

  it('answers status, headers (repeated ones as arrays) and the body as text', async () => {
    const exchange = createTextDispatch(pool);
    const reply = await exchange({ path: '/echo', method: 'POST', body: '{"a":1}' });
    assert.equal(reply.status, 201);
    assert.equal(reply.headers['idempotent-replayed'], 'true');
    assert.deepEqual(reply.headers['set-cookie'], ['a=1', 'b=2']);
    assert.deepEqual(JSON.parse(reply.bodyText), { echoed: '{"a":1}', method: 'POST' });
  });

  it('joins a body that arrives in many chunks without breaking a character split between two', async () => {
    const reply = await createTextDispatch(pool)({ path: '/big', method: 'GET' });
    assert.equal(reply.bodyText.length, BIG.length);
    assert.equal(reply.bodyText, BIG);
  });

  it('one signal cancels every exchange open on it, through one listener however many there are', async () => {
    const exchange = createTextDispatch(pool);
    const controller = new AbortController();
    const before = received;
    const open = Array.from({ length: 10 }, () =>
      exchange({ path: '/hang', method: 'GET', headersTimeout: 30_000 }, controller.signal),
    );
    while (received < before + 10) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
    controller.abort(new Error('shutting down'));
    const settled = await Promise.allSettled(open);
    assert.deepEqual(
      settled.map((each) => each.status),
      Array.from({ length: 10 }, () => 'rejected'),
    );
    for (const each of settled) assert.match(String((each as PromiseRejectedResult).reason), /shutting down/);
  });

  it('a signal already aborted sends nothing', async () => {
    const before = received;
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(createTextDispatch(pool)({ path: '/echo', method: 'GET' }, controller.signal));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(received, before);
  });
});
