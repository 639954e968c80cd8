/**
 * Local dedup checkpoints on the real stack: an owned partition is
 * checkpointed at its commits (and its drain), so a restart with its state
 * reads only the dedup topic's tail past the last one; a tampered checkpoint
 * is refused and the partition restored from the topic (and checkpointed at
 * that restore's end); either way every re-sent event is a DUPLICATE with no
 * second effect in CXone.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateEvents, produceEvents, type CdpEvent } from '../../devkit/cdp-events.ts';
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

describe('local dedup checkpoints (dedup.stateDir)', { timeout: 60_000 }, () => {
  let harness: Harness;
  let stateDir: string;
  let overrides: Parameters<Harness['startConnector']>[0];
  let rarely: Parameters<Harness['startConnector']>[0];
  before(async () => {
    harness = await createHarness(stack, 2);
    stateDir = mkdtempSync(join(tmpdir(), 'cxone-state-'));
    overrides = { dedup: { ...harness.config.dedup, stateDir, checkpointIntervalMs: 100 } };
    rarely = { dedup: { ...harness.config.dedup, stateDir, checkpointIntervalMs: 3_600_000 } };
  });
  after(async () => harness?.close());

  const committed = () =>
    waitFor('every record committed', async () =>
      (await groupLag(harness.admin, harness.config.kafka.groupId, harness.input)) === 0 ? true : undefined,
    );
  const restoreReads = async (metrics: Awaited<ReturnType<Harness['startConnector']>>['metrics']) =>
    (await metrics.dedupRestoreReads.get()).values[0]?.value ?? 0;
  const outcomesOf = async (events: CdpEvent[]) => {
    const ids = new Set(events.map((e) => e.eventId));
    const all = await decodeAll<DecodedResult>(
      stack.registryUrl,
      await readTopicToEnd(harness.kafka, harness.topics.results),
    );
    return all.filter((r) => ids.has(r.eventId));
  };

  it('owned partitions are checkpointed at their commits; the next start reads only the tail; repeats are DUPLICATE', async () => {
    const events = generateEvents({ count: 40, contacts: 10, prefix: `ckpt-${harness.id}` });
    const files = [0, 1].map((partition) =>
      checkpointPath(stateDir, {
        groupId: harness.config.kafka.groupId,
        dedupTopic: harness.topics.dedup,
        partition,
        inputTopic: harness.input,
      }),
    );
    const first = await harness.startConnector(overrides);
    // The dedup topic was empty at the claims, so no restore wrote a checkpoint: commits do, while owned.
    await produceEvents(harness.kafka, stack.registryUrl, harness.input, events.slice(0, 20));
    await committed();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await produceEvents(harness.kafka, stack.registryUrl, harness.input, events.slice(20));
    await committed();
    await waitFor('each owned partition checkpointed at its commits', async () =>
      files.every((file) => existsSync(file)) ? true : undefined,
    );
    await first.connector.stop();
    const effects = await sim.effectsByKey();

    // The second start reads only what was written past the last checkpoint (the drain's): nothing.
    await produceEvents(harness.kafka, stack.registryUrl, harness.input, events);
    const second = await harness.startConnector(overrides);
    await committed();
    assert.equal(await restoreReads(second.metrics), 0, 'the claims read no dedup record');
    await second.connector.stop();
    assert.equal(
      (await outcomesOf(events)).filter((r) => r.outcome === 'DUPLICATE').length,
      events.length,
      'every repeat is a DUPLICATE',
    );
    assert.deepEqual(await sim.effectsByKey(), effects, 'no second effect in CXone');

    // No checkpoints: the third start reads the whole history, and checkpoints it at each restore's end.
    for (const file of files) rmSync(file);
    await produceEvents(harness.kafka, stack.registryUrl, harness.input, events);
    const third = await harness.startConnector(rarely);
    await committed();
    assert.ok((await restoreReads(third.metrics)) >= events.length, 'the claims read the history');
    // Before the stop, whose drain would write them too.
    await waitFor('a checkpoint written at the end of each restore', async () =>
      files.every((file) => existsSync(file)) ? true : undefined,
    );
    await third.connector.stop();
    assert.equal(
      (await outcomesOf(events)).filter((r) => r.outcome === 'DUPLICATE').length,
      2 * events.length,
    );
    assert.deepEqual(await sim.effectsByKey(), effects, 'no second effect in CXone');

    // Altered: refused, the partitions restored from the topic; still no second effect.
    for (const file of files) {
      const bytes = readFileSync(file);
      bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
      writeFileSync(file, bytes);
    }
    await produceEvents(harness.kafka, stack.registryUrl, harness.input, events);
    const fourth = await harness.startConnector(overrides);
    await committed();
    assert.ok((await restoreReads(fourth.metrics)) >= events.length, 'restored from the dedup topic');
    await fourth.connector.stop();
    assert.equal(
      (await outcomesOf(events)).filter((r) => r.outcome === 'DUPLICATE').length,
      3 * events.length,
    );
    assert.deepEqual(await sim.effectsByKey(), effects, 'no second effect in CXone');
  });
});
