/**
 * A start that cannot succeed says which step failed, the setting it used,
 * what was tried and what to check: brokers and registry on closed ports.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { validateConfig } from '../../src/config/load-config.ts';
import { createHarness, type Harness } from '../support/connector-harness.ts';
import { testStack } from '../support/stack-env.ts';

const stack = testStack();

/** A port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('start-up failures name the setting and what to check', { timeout: 55_000 }, () => {
  let harness: Harness;
  before(async () => {
    harness = await createHarness(stack, 1);
  });
  after(async () => harness.close());

  it('brokers on a closed port: kafka.brokers, the address, and what to check', async () => {
    const port = await closedPort();
    const config = validateConfig({
      ...harness.config,
      kafka: { ...harness.config.kafka, brokers: [`127.0.0.1:${port}`], connectionTimeoutMs: 1_000 },
    });
    await assert.rejects(harness.startConnector(config), (error: Error) => {
      assert.match(
        error.message,
        new RegExp(`cannot start: connecting to kafka.brokers \\(127\\.0\\.0\\.1:${port}\\) failed`),
      );
      assert.match(error.message, /ECONNREFUSED/);
      assert.match(error.message, /check that the brokers are up and reachable/);
      return true;
    });
  });

  it('a registry on a closed port: registry.url, without its credentials, and what to check', async () => {
    const port = await closedPort();
    const config = validateConfig({
      ...harness.config,
      registry: {
        url: `http://user:hunter2-secret@127.0.0.1:${port}/apis/ccompat/v7`,
        // Credentials in the URL over plain HTTP: refused unless allowed, as here for the test.
        allowInsecureHttp: true,
      },
    });
    await assert.rejects(harness.startConnector(config), (error: Error) => {
      assert.match(
        error.message,
        new RegExp(
          `registering the output schemas at registry.url \\(http://127\\.0\\.0\\.1:${port}/apis/ccompat/v7\\) failed`,
        ),
      );
      assert.match(error.message, /ECONNREFUSED/);
      assert.match(error.message, /check that the registry is up and reachable at that URL/);
      assert.doesNotMatch(error.message, /hunter2-secret/);
      return true;
    });
  });
});
