/**
 * Standby dedup checkpoints on the real stack: an instance keeps an
 * up-to-date local checkpoint of the partitions it does not own, so when it
 * takes one over it reads only the dedup topic's tail past that checkpoint,
 * not the partition's history; every re-sent event is still a DUPLICATE with
 * no second effect in CXone.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateEvents, produceEvents } from '../../devkit/cdp-events.ts';
import { groupLag } from '../../devkit/group-lag.ts';
import { decodeAll, type DecodedResult } from '../../devkit/output-decoding.ts';
import { checkpointPath } from '../../src/dedup/dedup-checkpoint.ts';
import { readTopicToEnd } from '../../src/replay/read-topic.ts';
import { createHarness, type Harness } from '../support/connector-harness.ts';
import { simClient } from '../support/sim-client.ts';
import { testStack } from '../support/stack-env.ts';
import { waitFor } from '../support/wait-for.ts';

const stack = testStack();
const sim = simClient(stack.simUrl);

describe('standby dedup checkpoints (dedup.standbyIntervalMs)', { timeout: 90_000 }, () => {
  let harness: Harness;
  before(async () => {
    harness = await createHarness(stack, 2);
  });
  after(async () => harness?.close());

  const committed = () =>
    waitFor('every record committed', async () =>
      (await groupLag(harness.admin, harness.config.kafka.groupId, harness.input)) === 0 ? true : undefined,
    );
  const instance = (stateDir: string) => ({
    dedup: { ...harness.config.dedup, stateDir, standbyIntervalMs: 1000 },
  });

  it('a takeover claims from the standby checkpoint and reads only the tail', async () => {
    const events = generateEvents({ count: 60, contacts: 20, prefix: `standby-${harness.id}` });
    const a = await harness.startConnector(instance(mkdtempSync(join(tmpdir(), 'standby-a-'))));
    await produceEvents(harness.kafka, stack.registryUrl, harness.input, events);
    await committed();
    const effects = await sim.effectsByKey();

    // B joins with one partition; it claims it only when a record of it comes (none yet), and keeps a
    // standby checkpoint of A's: the one file in its folder.
    const bDir = mkdtempSync(join(tmpdir(), 'standby-b-'));
    const b = await harness.startConnector(instance(bDir));
    const fileOf = (partition: number) =>
      checkpointPath(bDir, {
        groupId: harness.config.kafka.groupId,
        dedupTopic: harness.topics.dedup,
        partition,
        inputTopic: harness.input,
      });
    const standbyOf = await waitFor('B keeps a standby checkpoint of A’s partition', async () =>
      [0, 1].find((partition) => existsSync(fileOf(partition))),
    );
    assert.equal(existsSync(fileOf(1 - standbyOf)), false, 'B has not claimed its own partition yet');
    const reads = async () => (await b.metrics.dedupRestoreReads.get()).values[0]?.value ?? 0;
    assert.equal(await reads(), 0);

    // A leaves; the events come again. B claims its own partition from the topic (its history) and
    // A's from the standby checkpoint (nothing past it): together, less than the whole history.
    await a.connector.stop();
    await produceEvents(harness.kafka, stack.registryUrl, harness.input, events);
    await committed();
    const read = await reads();
    assert.ok(read > 0, 'B restored its own partition from the topic');
    assert.ok(
      read < events.length,
      `the takeover read only a tail (${read} of ${events.length} dedup records)`,
    );
    await b.connector.stop();

    const ids = new Set(events.map((e) => e.eventId));
    const results = (
      await decodeAll<DecodedResult>(
        stack.registryUrl,
        await readTopicToEnd(harness.kafka, harness.topics.results),
      )
    ).filter((r) => ids.has(r.eventId));
    assert.equal(
      results.filter((r) => r.outcome === 'DUPLICATE').length,
      events.length,
      'every repeat is a DUPLICATE',
    );
    assert.deepEqual(await sim.effectsByKey(), effects, 'no second effect in CXone');
  });
});
