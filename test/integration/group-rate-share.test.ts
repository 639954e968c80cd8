/**
 * A group of instances on the real stack: each holds its fraction of the
 * input partitions as its share of cxone.rateLimit (the tenant's limit for the
 * whole group), the shares add up to 1 and follow every rebalance, and the lag
 * gauges report each assigned partition.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateEvents, produceEvents } from '../../devkit/cdp-events.ts';
import { groupLag } from '../../devkit/group-lag.ts';
import { validateConfig } from '../../src/config/load-config.ts';
import type { ConnectorMetrics } from '../../src/observability/metrics.ts';
import { createHarness, type Harness } from '../support/connector-harness.ts';
import { testStack } from '../support/stack-env.ts';
import { waitFor } from '../support/wait-for.ts';

const stack = testStack();

async function gauge(metrics: ConnectorMetrics, name: keyof ConnectorMetrics): Promise<number[]> {
  const metric = metrics[name] as { get(): Promise<{ values: { value: number }[] }> };
  return (await metric.get()).values.map((v) => v.value);
}

describe('a group-wide rate limit and lag gauges, on the real stack', { timeout: 50_000 }, () => {
  let harness: Harness;
  before(async () => {
    harness = await createHarness(stack, 4);
  });
  after(async () => harness.close());

  it('one instance holds the whole limit; two hold half each; back to one after the other leaves', async () => {
    const config = validateConfig({
      ...harness.config,
      observability: { ...harness.config.observability, lagSampleMs: 1000 },
      cxone: {
        ...harness.config.cxone,
        rateLimit: { ...harness.config.cxone.rateLimit, requestsPerSecond: 200 },
      },
    });
    const events = generateEvents({ count: 40, contacts: 20, prefix: `share-${harness.id}` });
    await produceEvents(harness.kafka, stack.registryUrl, harness.input, events);
    const a = await harness.startConnector(config);
    await waitFor('the first instance to hold all 4 partitions at the whole rate', async () =>
      (await gauge(a.metrics, 'assignedPartitions'))[0] === 4 &&
      (await gauge(a.metrics, 'cxoneRateShare'))[0] === 1
        ? true
        : undefined,
    );
    await waitFor('every record committed', async () =>
      (await groupLag(harness.admin, config.kafka.groupId, harness.input)) === 0 ? true : undefined,
    );
    await waitFor('the lag gauges to show 4 partitions at 0', async () => {
      const lag = await gauge(a.metrics, 'consumerLagRecords');
      return lag.length === 4 && lag.every((v) => v === 0) ? true : undefined;
    });

    const b = await harness.startConnector(config);
    await waitFor('two instances with half the partitions and half the limit each', async () => {
      const shares = [
        (await gauge(a.metrics, 'cxoneRateShare'))[0],
        (await gauge(b.metrics, 'cxoneRateShare'))[0],
      ];
      const assigned = [
        (await gauge(a.metrics, 'assignedPartitions'))[0],
        (await gauge(b.metrics, 'assignedPartitions'))[0],
      ];
      return shares.every((s) => s === 0.5) && assigned.every((n) => n === 2) ? true : undefined;
    });
    assert.deepEqual(await gauge(b.metrics, 'cxoneAllowedRate'), [100], '100 of the tenant’s 200 requests/s');
    // The rebalance cost: the first instance kept the claims of the 2 partitions it still has; the
    // second claims the 2 it took over at their first records, reading back their dedup history.
    assert.deepEqual(await gauge(a.metrics, 'claimsKept'), [2]);
    const more = generateEvents({ count: 40, contacts: 20, prefix: `share2-${harness.id}` });
    await produceEvents(harness.kafka, stack.registryUrl, harness.input, more);
    await waitFor('the new events committed by both', async () =>
      (await groupLag(harness.admin, config.kafka.groupId, harness.input)) === 0 ? true : undefined,
    );
    const restored = (await gauge(b.metrics, 'dedupRestoreReads'))[0] ?? 0;
    assert.ok(
      restored > 0 && restored < events.length,
      `the new member restored its half only (${restored})`,
    );
    assert.deepEqual(
      await gauge(a.metrics, 'dedupRestoreReads'),
      [0],
      'the kept partitions were not restored again',
    );

    await b.connector.stop();
    await waitFor('the remaining instance to take the whole limit back', async () =>
      (await gauge(a.metrics, 'cxoneRateShare'))[0] === 1 ? true : undefined,
    );
  });
});
