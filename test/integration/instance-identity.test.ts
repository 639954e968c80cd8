/**
 * kafka.instanceId on the real stack, as the connector runs it: a static
 * group member (KIP-345) with a stable transactional id. An instance
 * SIGKILLed and restarted under its name takes its partitions back and
 * finishes the work with nothing lost or doubled; a second live process given
 * the same name makes the first stop with INSTANCE_ID_IN_USE (exit 1) while
 * the second does the work.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateEvents, produceEvents } from '../../devkit/cdp-events.ts';
import { groupLag } from '../../devkit/group-lag.ts';
import { createHarness, type Harness } from '../support/connector-harness.ts';
import { startConnectorProcess, type ConnectorProcess } from '../support/connector-process.ts';
import { assertExactlyOnce } from '../support/exactly-once-check.ts';
import { simClient } from '../support/sim-client.ts';
import { testStack } from '../support/stack-env.ts';
import { waitFor } from '../support/wait-for.ts';

const stack = testStack();
const sim = simClient(stack.simUrl);

async function loadEvents(harness: Harness, count: number): Promise<string[]> {
  // Only eligible contacts (the simulator makes every 20th ineligible), so each event is one effect.
  const events = generateEvents({ count, contacts: 19, prefix: `ii-${harness.id}` });
  await produceEvents(harness.kafka, stack.registryUrl, harness.input, events);
  return events.map((e) => `welcome:${e.eventId}`);
}

/** A named instance with a long session, so a rejoin that waited for it would show. */
function named(harness: Harness, instanceId: string) {
  const { config } = harness;
  return {
    ...config,
    kafka: { ...config.kafka, instanceId, sessionTimeoutMs: 45_000 },
    processing: { ...config.processing, maxInFlightPerPartition: 4, maxRecordsPerCommit: 50 },
  };
}

const lag = (harness: Harness) => groupLag(harness.admin, harness.config.kafka.groupId, harness.input);

describe('kafka.instanceId: a static member with a stable transactional id', { timeout: 85_000 }, () => {
  it('a SIGKILLed instance restarted under its name finishes the work, nothing lost or doubled', async () => {
    await sim.setFaults({ latencyMs: 100 });
    const harness = await createHarness(stack, 2);
    const processes: ConnectorProcess[] = [];
    try {
      const keys = await loadEvents(harness, 800);
      processes.push(startConnectorProcess(named(harness, 'pod-0')));
      await waitFor('some progress before the SIGKILL', async () =>
        (await lag(harness)) < keys.length - 100 ? true : undefined,
      );
      processes[0]?.child.kill('SIGKILL');
      await processes[0]?.exited;
      const killedAt = Date.now();
      processes.push(startConnectorProcess(named(harness, 'pod-0')));
      const remaining = await lag(harness);
      await waitFor(
        'the restarted pod-0 commits again',
        async () => ((await lag(harness)) < remaining ? true : undefined),
        40_000,
      );
      const recoveryMs = Date.now() - killedAt;
      await waitFor(
        'the restarted pod-0 finishes',
        async () => ((await lag(harness)) === 0 ? true : undefined),
        60_000,
      );
      await assertExactlyOnce(harness, sim, keys, stack.registryUrl);
      // The old member's 45 s session never had to expire: it was the same static member.
      assert.ok(recoveryMs < 45_000, `first commit ${recoveryMs} ms after the SIGKILL`);
    } finally {
      await sim.setFaults({ latencyMs: 0 });
      for (const p of processes) p.child.kill('SIGTERM');
      await Promise.all(processes.map((p) => p.exited));
      await harness.close();
    }
  });

  it('a second live process with the same name makes the first stop with INSTANCE_ID_IN_USE', async () => {
    await sim.setFaults({ latencyMs: 100 });
    const harness = await createHarness(stack, 2);
    const processes: ConnectorProcess[] = [];
    try {
      const keys = await loadEvents(harness, 600);
      processes.push(startConnectorProcess(named(harness, 'pod-0')));
      await waitFor('some progress before the second process', async () =>
        (await lag(harness)) < keys.length - 50 ? true : undefined,
      );
      processes.push(startConnectorProcess(named(harness, 'pod-0')));
      const first = processes[0];
      assert.ok(first);
      const code = await Promise.race([first.exited, sleep(40_000).then(() => 'still running' as const)]);
      assert.equal(code, 1, `the first process stops\n${first.output().slice(-2000)}`);
      assert.match(first.output(), /INSTANCE_ID_IN_USE/);
      assert.match(first.output(), /kafka\.instanceId/);
      await waitFor(
        'the second process finishes',
        async () => ((await lag(harness)) === 0 ? true : undefined),
        60_000,
      );
      await assertExactlyOnce(harness, sim, keys, stack.registryUrl);
    } finally {
      await sim.setFaults({ latencyMs: 0 });
      for (const p of processes) p.child.kill('SIGTERM');
      await Promise.all(processes.map((p) => p.exited));
      await harness.close();
    }
  });
});
