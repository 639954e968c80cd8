/**
 * A group with no committed offsets, and neither kafka.startFrom nor
 * processing.maxEventAgeMs set, refuses to start: a first deployment on a
 * topic with a week of retention would otherwise trigger a journey for every
 * customer in it. Once a choice is made it starts; once it has committed,
 * the choice no longer matters.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateEvents, produceEvents } from '../../devkit/cdp-events.ts';
import { groupLag } from '../../devkit/group-lag.ts';
import { validateConfig } from '../../src/config/load-config.ts';
import { ConfigError } from '../../src/errors.ts';
import { createHarness, type Harness } from '../support/connector-harness.ts';
import { simClient } from '../support/sim-client.ts';
import { testStack } from '../support/stack-env.ts';
import { waitFor } from '../support/wait-for.ts';

const stack = testStack();

describe('a first start without a choice of where to start', { timeout: 80_000 }, () => {
  let harness: Harness;
  before(async () => {
    harness = await createHarness(stack, 2);
  });
  after(async () => harness.close());

  it('is refused with a message naming both settings; then a chosen time starts past the backlog; then committed offsets need no choice', async () => {
    const sim = simClient(stack.simUrl);
    const old = generateEvents({ count: 20, contacts: 7, prefix: `first-old-${harness.id}` });
    await produceEvents(harness.kafka, stack.registryUrl, harness.input, old);
    const unset = validateConfig({
      ...harness.config,
      kafka: { ...harness.config.kafka, startFrom: undefined },
    });
    assert.equal(unset.kafka.startFrom, undefined);
    assert.equal(unset.processing.maxEventAgeMs, undefined);

    await assert.rejects(harness.startConnector(unset), (error: unknown) => {
      assert.ok(error instanceof ConfigError, String(error));
      assert.match(error.message, new RegExp(`has no committed offsets on ${harness.input}`));
      assert.match(error.message, /kafka\.startFrom: latest/);
      assert.match(error.message, /processing\.maxEventAgeMs/);
      assert.match(error.message, /Nothing was consumed/);
      return true;
    });
    const offsets = await harness.admin.fetchOffsets({
      groupId: unset.kafka.groupId,
      topics: [harness.input],
    });
    assert.ok(
      offsets[0]?.partitions.every((p) => p.offset === '-1'),
      'nothing committed',
    );
    const effects = await sim.effectsByKey();
    assert.equal(
      Object.keys(effects).filter((key) => key.includes(`first-old-${harness.id}`)).length,
      0,
      'no CXone call for the backlog',
    );

    // A time chosen: the backlog before it stays untouched, what is published after it is processed.
    // (A time, not latest, so the test does not race the claim's read of the partition end.)
    await sleep(20);
    const since = new Date().toISOString();
    await sleep(20);
    const chosen = validateConfig({ ...unset, kafka: { ...unset.kafka, startFrom: since } });
    const first = await harness.startConnector(chosen);
    const fresh = generateEvents({ count: 10, contacts: 4, prefix: `first-new-${harness.id}` });
    await produceEvents(harness.kafka, stack.registryUrl, harness.input, fresh);
    await waitFor(
      'the new events processed',
      async () => {
        const byKey = await sim.effectsByKey();
        const done = Object.keys(byKey).filter((key) => key.includes(`first-new-${harness.id}`)).length;
        return done === fresh.length ? true : undefined;
      },
      40_000,
    );
    await first.connector.stop();
    const afterLatest = await sim.effectsByKey();
    assert.equal(
      Object.keys(afterLatest).filter((key) => key.includes(`first-old-${harness.id}`)).length,
      0,
      'the events before kafka.startFrom were skipped',
    );

    // Committed offsets: the same unset config now starts where the group left off.
    const again = await harness.startConnector(unset);
    assert.equal(again.connector.state(), 'running');
    assert.equal(await groupLag(harness.admin, unset.kafka.groupId, harness.input), 0);
    await again.connector.stop();
  });
});
