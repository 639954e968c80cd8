/**
 * The registry as estates run it: Apicurio behind Debian's nginx (the secured
 * stack), TLS with the stack's private CA, HTTP Basic (Confluent Cloud's API
 * key and secret) or a bearer token. And `registry.autoRegister: false`: the
 * schemas already registered are used, a missing or incompatible one fails the
 * start clearly.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { generateEvents, produceEvents } from '../../devkit/cdp-events.ts';
import { groupLag } from '../../devkit/group-lag.ts';
import { decodeAll, type DecodedResult } from '../../devkit/output-decoding.ts';
import { validateConfig } from '../../src/config/load-config.ts';
import type { ConnectorConfig } from '../../src/config/schema.ts';
import { registryCall } from '../../src/output/registry-client.ts';
import { readTopicToEnd } from '../../src/replay/read-topic.ts';
import { createHarness, type Harness } from '../support/connector-harness.ts';
import { testStack } from '../support/stack-env.ts';
import { waitFor } from '../support/wait-for.ts';

const stack = testStack();
const { security, registryUrl: secureUrl } = stack.secure;
const ca = readFileSync(security.caFile, 'utf8');

function withRegistry(harness: Harness, registry: Record<string, unknown>): ConnectorConfig {
  return validateConfig({ ...harness.config, registry });
}

describe('a registry behind TLS and authentication', { timeout: 55_000 }, () => {
  let harness: Harness;
  before(async () => {
    harness = await createHarness(stack, 1);
  });
  after(async () => harness.close());

  it('with a private CA and basic auth: events decode and results are written through it', async () => {
    const config = withRegistry(harness, {
      url: secureUrl,
      username: security.registry.username,
      password: security.registry.password,
      ssl: { ca },
    });
    const events = generateEvents({ count: 5, contacts: 2, prefix: `reg-${harness.id}` });
    await produceEvents(harness.kafka, stack.registryUrl, harness.input, events);
    await harness.startConnector(config);
    await waitFor('every input record committed', async () =>
      (await groupLag(harness.admin, config.kafka.groupId, harness.input)) === 0 ? true : undefined,
    );
    const results = await decodeAll<DecodedResult>(
      stack.registryUrl,
      await readTopicToEnd(harness.kafka, harness.topics.results),
    );
    assert.deepEqual(new Set(results.map((r) => r.eventId)), new Set(events.map((e) => e.eventId)));
  });

  it('with a bearer token', async () => {
    const other = await createHarness(stack, 1);
    try {
      await other.startConnector(
        withRegistry(other, { url: secureUrl, bearerToken: security.registry.bearerToken, ssl: { ca } }),
      );
    } finally {
      await other.close();
    }
  });

  it('a wrong password fails the start, names the settings, and never prints the password', async () => {
    const wrong = 'not-the-registry-secret-77';
    const config = withRegistry(harness, {
      url: secureUrl,
      username: security.registry.username,
      password: wrong,
      ssl: { ca },
    });
    await assert.rejects(harness.startConnector(config), (error: Error) => {
      assert.match(error.message, /cannot start: registering the output schemas at registry.url/);
      assert.match(error.message, /registry.username\/password or registry.bearerToken/);
      assert.doesNotMatch(
        JSON.stringify({ message: error.message, cause: String(error.cause) }),
        new RegExp(wrong),
      );
      return true;
    });
  });

  it('without the CA: the certificate is refused and registry.ssl.ca is named', async () => {
    const config = withRegistry(harness, {
      url: secureUrl,
      username: security.registry.username,
      password: security.registry.password,
    });
    await assert.rejects(harness.startConnector(config), (error: Error) => {
      assert.match(error.message, /certificate/i);
      assert.match(error.message, /registry.ssl.ca/);
      return true;
    });
  });
});

describe('registry.autoRegister: false', { timeout: 45_000 }, () => {
  let harness: Harness;
  before(async () => {
    harness = await createHarness(stack, 1);
  });
  after(async () => harness.close());

  const secured = (h: Harness, autoRegister: boolean) =>
    withRegistry(h, {
      url: secureUrl,
      username: security.registry.username,
      password: security.registry.password,
      ssl: { ca },
      autoRegister,
    });

  it('a subject not registered yet fails the start, naming the subject and what to register', async () => {
    await assert.rejects(harness.startConnector(secured(harness, false)), (error: Error) => {
      assert.match(error.message, /cannot start: looking up the output schemas/);
      assert.match(
        error.message,
        new RegExp(
          `subject ${harness.topics.results}-value does not exist: register schemas/cxone-result.avsc`,
        ),
      );
      return true;
    });
  });

  it('uses the schemas registered beforehand, and registers nothing', async () => {
    // Registered as an operator would before the first start: here by one start with autoRegister on.
    const first = await harness.startConnector(secured(harness, true));
    await first.connector.stop();
    const endpoint = { url: stack.registryUrl, requestTimeoutMs: 5000 };
    const versionsBefore = await registryCall(
      endpoint,
      'GET',
      `/subjects/${harness.topics.results}-value/versions`,
    );
    const events = generateEvents({ count: 3, contacts: 1, prefix: `noreg-${harness.id}` });
    await produceEvents(harness.kafka, stack.registryUrl, harness.input, events);
    await harness.startConnector(secured(harness, false));
    await waitFor('every input record committed', async () =>
      (await groupLag(harness.admin, harness.config.kafka.groupId, harness.input)) === 0 ? true : undefined,
    );
    const versionsAfter = await registryCall(
      endpoint,
      'GET',
      `/subjects/${harness.topics.results}-value/versions`,
    );
    assert.deepEqual(versionsAfter.body, versionsBefore.body);
    assert.equal((await readTopicToEnd(harness.kafka, harness.topics.results)).length, events.length);
  });

  it('a subject holding an incompatible schema fails the start and says so', async () => {
    const other = await createHarness(stack, 1);
    try {
      const endpoint = { url: stack.registryUrl, requestTimeoutMs: 5000 };
      const incompatible = {
        type: 'record',
        name: 'CxoneResult',
        namespace: 'com.example.elsewhere',
        fields: [{ name: 'unrelated', type: 'int' }],
      };
      const put = await registryCall(endpoint, 'POST', `/subjects/${other.topics.results}-value/versions`, {
        schema: JSON.stringify(incompatible),
      });
      assert.equal(put.status, 200);
      // Under NONE anything is compatible; the estates that pin schemas use BACKWARD or stricter.
      const level = await registryCall(endpoint, 'PUT', `/config/${other.topics.results}-value`, {
        compatibility: 'BACKWARD',
      });
      assert.equal(level.status, 200);
      await assert.rejects(other.startConnector(secured(other, false)), (error: Error) => {
        assert.match(
          error.message,
          new RegExp(
            `subject ${other.topics.results}-value does not hold the connector's schema cxone-result, and its latest version is incompatible with it`,
          ),
        );
        return true;
      });
    } finally {
      await other.close();
    }
  });
});
