/**
 * The exactly-once invariants, checked against what really happened: the
 * simulator's effect ledger and the committed contents of the output topics.
 */
import assert from 'node:assert/strict';
import { countBy, decodeAll } from '../../devkit/output-decoding.ts';
import { readTopic } from '../../src/replay/read-topic.ts';
import type { Harness } from './connector-harness.ts';
import type { SimClient } from './sim-client.ts';

export async function assertExactlyOnce(
  harness: Harness,
  sim: SimClient,
  keys: readonly string[],
  registryUrl: string,
) {
  const byKey = await sim.effectsByKey();
  const lost = keys.filter((k) => !byKey[k]);
  const doubled = keys.filter((k) => (byKey[k] ?? 0) > 1);
  assert.deepEqual(lost, [], 'every event reached CXone');
  assert.deepEqual(doubled, [], 'no event reached CXone twice');

  const results = await readTopic(harness.kafka, harness.topics.results);
  const decoded = await decodeAll<{ idempotencyKey: string; outcome: string }>(registryUrl, results.records);
  const perKey = countBy(
    decoded.filter((r) => r.outcome !== 'DUPLICATE'),
    (r) => r.idempotencyKey,
  );
  assert.deepEqual(
    keys.filter((k) => perKey[k] !== 1),
    [],
    'exactly one committed result per event',
  );
  for (const [partition, end] of results.stableEnds) {
    assert.equal(
      results.highWatermarks.get(partition) ?? 0n,
      end,
      `no open transaction on results[${partition}]`,
    );
  }
}
