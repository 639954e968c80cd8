/**
 * Lifecycle under load, with real connector processes: a SIGTERM drains
 * without losing or doubling anything, and an instance joining mid-run
 * (a rebalance) neither loses nor doubles anything either.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateEvents, produceEvents } from '../../devkit/cdp-events.ts';
import { groupLag } from '../../devkit/group-lag.ts';
import { createHarness, type Harness } from '../support/connector-harness.ts';
import { startConnectorProcess } from '../support/connector-process.ts';
import { assertExactlyOnce } from '../support/exactly-once-check.ts';
import { simClient } from '../support/sim-client.ts';
import { testStack } from '../support/stack-env.ts';
import { waitFor } from '../support/wait-for.ts';

const stack = testStack();
const sim = simClient(stack.simUrl);

const setSimLatency = (latencyMs: number) => sim.setFaults({ latencyMs });

async function loadEvents(harness: Harness, count: number) {
  // Only eligible contacts (the simulator makes every 20th ineligible), so each event is one effect.
  const events = generateEvents({ count, contacts: 19, prefix: `lc-${harness.id}` });
  await produceEvents(harness.kafka, stack.registryUrl, harness.input, events);
  return events.map((e) => `welcome:${e.eventId}`);
}

/** Few records in flight and small transactions, so a run lasts long enough to be interrupted. */
function slow(harness: Harness) {
  const { config } = harness;
  return {
    ...config,
    processing: { ...config.processing, maxInFlightPerPartition: 4, maxRecordsPerCommit: 50 },
  };
}

describe('connector lifecycle under load', { timeout: 85_000 }, () => {
  before(() => setSimLatency(150));
  after(() => setSimLatency(0));

  it('SIGTERM mid-load drains cleanly; the next instance finishes with nothing lost or doubled', async () => {
    const harness = await createHarness(stack, 4);
    try {
      const keys = await loadEvents(harness, 1200);
      const first = startConnectorProcess(slow(harness));
      await waitFor('some progress before the SIGTERM', async () => {
        const lag = await groupLag(harness.admin, harness.config.kafka.groupId, harness.input);
        return lag < keys.length - 100 ? true : undefined;
      });
      first.child.kill('SIGTERM');
      const code = await Promise.race([first.exited, sleep(40_000).then(() => 'timeout' as const)]);
      assert.equal(code, 0, `graceful exit on SIGTERM\n${first.output().slice(-2000)}`);
      const lagAfterStop = await groupLag(harness.admin, harness.config.kafka.groupId, harness.input);
      assert.ok(lagAfterStop > 0, 'the SIGTERM landed while work remained');

      const second = startConnectorProcess(slow(harness));
      try {
        await waitFor(
          'the second instance to finish',
          async () =>
            (await groupLag(harness.admin, harness.config.kafka.groupId, harness.input)) === 0
              ? true
              : undefined,
          90_000,
        );
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
      }
      await assertExactlyOnce(harness, sim, keys, stack.registryUrl);
    } finally {
      await harness.close();
    }
  });

  it('an instance joining mid-run takes partitions over with nothing lost or doubled', async () => {
    const harness = await createHarness(stack, 4);
    const processes = [];
    try {
      const keys = await loadEvents(harness, 1200);
      processes.push(startConnectorProcess(slow(harness)));
      await waitFor('some progress before the second instance joins', async () => {
        const lag = await groupLag(harness.admin, harness.config.kafka.groupId, harness.input);
        return lag < keys.length - 100 ? true : undefined;
      });
      processes.push(startConnectorProcess(slow(harness)));
      await waitFor(
        'both instances to finish',
        async () =>
          (await groupLag(harness.admin, harness.config.kafka.groupId, harness.input)) === 0
            ? true
            : undefined,
        90_000,
      );
      await assertExactlyOnce(harness, sim, keys, stack.registryUrl);
      assert.match(
        processes[1]?.output() ?? '',
        /partition claimed/,
        'the new instance really took partitions',
      );
    } finally {
      for (const p of processes) p.child.kill('SIGTERM');
      await Promise.all(processes.map((p) => p.exited));
      await harness.close();
    }
  });
});
