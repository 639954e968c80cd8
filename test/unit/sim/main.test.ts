// runSimulator: the CLI entry point prints one ready line, serves, and closes on abort.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { runSimulator } from '../../../src/sim/main.ts';
import { SimOptionsError } from '../../../src/sim/options.ts';

const logger = pino({ level: 'silent' });

describe('sim main', () => {
  it('prints the listening line, serves fixtures from a file, and stops on abort', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cxone-sim-'));
    const file = join(dir, 'fixtures.yaml');
    await writeFile(file, 'journeys:\n  - id: j-file\n    state: DRAFT\n');
    const controller = new AbortController();
    let line = '';
    const ready = new Promise<string>((resolve) => {
      const stdout = { write: (text: string) => resolve((line = text)) };
      const args = { port: '0', fixtures: file, seed: '5', 'client-secret': 'shh' };
      void runSimulator(args, { logger, signal: controller.signal, stdout }).then(() => (line = 'closed'));
    });
    const text = await ready;
    const match = /^cxone-sim listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(text);
    assert.ok(match?.[1], text);
    const url = match[1];
    const tokenRes = await fetch(`${url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=sim-client&client_secret=shh',
    });
    const { access_token: token } = (await tokenRes.json()) as { access_token: string };
    const journey = await fetch(`${url}/api/v1/journeys/j-file`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(((await journey.json()) as { state: string }).state, 'DRAFT');
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(line, 'closed');
    await assert.rejects(fetch(`${url}/_sim/health`));
  });

  it('rejects bad numbers and a bad port, naming the flag', async () => {
    await assert.rejects(runSimulator({ 'rate-429': 'lots' }, { logger }), /--rate-429: not a number/);
    await assert.rejects(runSimulator({ 'rate-429': '2' }, { logger }), SimOptionsError);
    await assert.rejects(runSimulator({ port: '70000' }, { logger }), /--port/);
  });
});
