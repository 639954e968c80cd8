/**
 * Local dedup checkpoints on the real stack: a restart with its state reads
 * only the dedup topic's tail past the checkpoint, a tampered checkpoint is
 * refused and the partition restored from the topic, and either way every
 * re-sent event is a DUPLICATE with no second effect in CXone.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateEvents, produceEvents, type CdpEvent } from '../../scripts/lib/cdp-events.ts';
import { groupLag } from '../../scripts/lib/group-lag.ts';
import { decodeAll, type DecodedResult } from '../../scripts/lib/output-decoding.ts';
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
  before(async () => {
    harness = await createHarness(stack, 2);
    stateDir = mkdtempSync(join(tmpdir(), 'cxone-state-'));
    overrides = { dedup: { ...harness.config.dedup, stateDir, checkpointIntervalMs: 1000 } };
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

  it('a restart reads only the tail past its checkpoints; repeats are DUPLICATE', async () => {
    const early = generateEvents({ count: 30, contacts: 10, prefix: `early-${harness.id}` });
    const late = generateEvents({ count: 10, contacts: 5, prefix: `late-${harness.id}` });
    const first = await harness.startConnector(overrides);
    await produceEvents(harness.kafka, stack.registryUrl, harness.input, early);
    await committed();
    // A checkpoint interval passes; the next commits (of the late events) write the checkpoints.
    await sleep(2500);
    await produceEvents(harness.kafka, stack.registryUrl, harness.input, late);
    await committed();
    await first.connector.stop();
    const files = [0, 1].map((partition) =>
      checkpointPath(stateDir, {
        groupId: harness.config.kafka.groupId,
        dedupTopic: harness.topics.dedup,
        partition,
        inputTopic: harness.input,
      }),
    );
    const written = files.filter((f) => readdirSync(join(f, '..')).length > 0);
    assert.ok(written.length > 0, 'at least one partition wrote a checkpoint');
    const effects = await sim.effectsByKey();

    await produceEvents(harness.kafka, stack.registryUrl, harness.input, [...early, ...late]);
    const second = await harness.startConnector(overrides);
    await committed();
    const reads = await restoreReads(second.metrics);
    assert.ok(
      reads < early.length + late.length,
      `the claims read ${reads} dedup records, fewer than the ${early.length + late.length} written`,
    );
    await second.connector.stop();
    const repeats = (await outcomesOf([...early, ...late])).filter((r) => r.outcome === 'DUPLICATE');
    assert.equal(repeats.length, early.length + late.length, 'every repeat is a DUPLICATE');
    assert.deepEqual(await sim.effectsByKey(), effects, 'no second effect in CXone');

    // Tampered: refused, and that partition restored from the topic; still no second effect.
    for (const file of written) {
      const bytes = readFileSync(file);
      bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
      writeFileSync(file, bytes);
    }
    await produceEvents(harness.kafka, stack.registryUrl, harness.input, early);
    const third = await harness.startConnector(overrides);
    await committed();
    assert.ok(
      (await restoreReads(third.metrics)) >= early.length,
      'the tampered partitions were restored from the dedup topic',
    );
    await third.connector.stop();
    const outcomes = await outcomesOf(early);
    assert.equal(outcomes.filter((r) => r.outcome === 'DUPLICATE').length, 2 * early.length);
    assert.deepEqual(await sim.effectsByKey(), effects, 'no second effect in CXone');
  });
});
