import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCxoneHttp } from '../../../src/cxone/http-client.ts';
import { startSim } from '../sim/sim-harness.ts';
import { CONTACT } from './cxone-harness.ts';

describe('CXone HTTP transport', () => {
  it('a request CXone never answers fails as CXONE_TIMEOUT (retryable) after requestTimeoutMs', async () => {
    const sim = await startSim({ rateHang: 1, hangMs: 5_000 });
    const http = createCxoneHttp({ baseUrl: sim.url, requestTimeoutMs: 200, connections: 2 });
    try {
      const started = performance.now();
      await assert.rejects(http.send(CONTACT), (error: Error & { code?: string; retryable?: boolean }) => {
        assert.equal(error.code, 'CXONE_TIMEOUT');
        assert.equal(error.retryable, true);
        assert.match(error.message, /within 200 ms/);
        return true;
      });
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 190 && elapsed < 2_000, `timed out after ${elapsed.toFixed(0)} ms`);
    } finally {
      await http.close();
      await sim.close();
    }
  });

  it('a request cut off by its signal (shutdown) fails as retryable CXONE_NETWORK, not as a timeout', async () => {
    const sim = await startSim({ latencyMs: 2_000 });
    const http = createCxoneHttp({ baseUrl: sim.url, requestTimeoutMs: 10_000, connections: 2 });
    try {
      const controller = new AbortController();
      const sending = http.send({ ...CONTACT, signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      await assert.rejects(sending, (error: Error & { code?: string; retryable?: boolean }) => {
        assert.equal(error.code, 'CXONE_NETWORK');
        assert.equal(error.retryable, true);
        assert.match(error.message, /cancelled by shutdown/);
        return true;
      });
    } finally {
      await http.close();
      await sim.close();
    }
  });
});
