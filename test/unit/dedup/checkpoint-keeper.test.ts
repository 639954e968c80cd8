import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';
import { createCheckpointKeeper } from '../../../src/dedup/checkpoint-keeper.ts';
import { checkpointPath, readCheckpoint } from '../../../src/dedup/dedup-checkpoint.ts';
import { createDedupStore } from '../../../src/dedup/dedup-store.ts';

const NOW = Date.UTC(2026, 11, 1);
const scope = { topic: 'cdp.events', partition: 2 };
const id = { groupId: 'g', dedupTopic: 'cxone.dedup', partition: 2, inputTopic: 'cdp.events' };

function setup() {
  const stateDir = mkdtempSync(join(tmpdir(), 'keeper-'));
  const store = createDedupStore({ maxEntries: 10_000, windowMs: 86_400_000, now: () => NOW });
  const highs = { value: 100n };
  const keeper = createCheckpointKeeper({
    stateDir,
    groupId: id.groupId,
    dedupTopic: id.dedupTopic,
    windowMs: 86_400_000,
    store,
    highWatermarks: async () => new Map([[2, highs.value]]),
    logger: pino({ level: 'silent' }),
    now: () => NOW,
  });
  const file = checkpointPath(stateDir, id);
  return { stateDir, store, highs, keeper, file };
}

describe('the checkpoint keeper', () => {
  it('writes a scope only at a commit that began after its high watermark was read', async () => {
    const { stateDir, store, highs, keeper, file } = setup();
    keeper.restored(scope);
    store.set(scope, 'a', { createdAtMs: NOW, outcome: 'ACCEPTED' });
    const before = keeper.mark();
    await keeper.prepare();
    keeper.committed(scope, before);
    await keeper.flush();
    assert.equal(existsSync(file), false, 'a commit begun before the read proves nothing');

    const after = keeper.mark();
    highs.value = 250n;
    keeper.committed(scope, after);
    await keeper.flush();
    const read = await readCheckpoint(stateDir, id);
    assert.ok(read.status === 'found');
    assert.equal(read.checkpoint.offset, 100n, 'the offset read at prepare, not a later one');
  });

  it('never writes a scope that is not live: still restoring, or revoked', async () => {
    const { store, keeper, file } = setup();
    store.set(scope, 'a', { createdAtMs: NOW, outcome: 'ACCEPTED' });
    await keeper.prepare();
    keeper.committed(scope, keeper.mark());
    await keeper.flush();
    assert.equal(existsSync(file), false, 'a scope whose restore has not finished');

    keeper.restored(scope);
    await keeper.prepare();
    keeper.release(scope);
    keeper.committed(scope, keeper.mark());
    await keeper.flush();
    assert.equal(existsSync(file), false, 'a revoked scope');
  });

  it('skips a scope that has not changed since its last checkpoint', async () => {
    const { store, highs, keeper, stateDir } = setup();
    keeper.restored(scope);
    store.set(scope, 'a', { createdAtMs: NOW, outcome: 'ACCEPTED' });
    await keeper.prepare();
    keeper.committed(scope, keeper.mark());
    await keeper.flush();
    highs.value = 300n;
    await keeper.prepare();
    keeper.committed(scope, keeper.mark());
    await keeper.flush();
    const read = await readCheckpoint(stateDir, id);
    assert.ok(read.status === 'found');
    assert.equal(read.checkpoint.offset, 100n, 'nothing changed: the first checkpoint stands');
  });

  it('refuses a checkpoint past the partition end, below its start, or older than the window', async () => {
    const { store, keeper } = setup();
    keeper.restored(scope);
    store.set(scope, 'a', { createdAtMs: NOW, outcome: 'ACCEPTED' });
    await keeper.prepare();
    keeper.committed(scope, keeper.mark());
    await keeper.flush();
    assert.equal(await keeper.read(scope, { low: 200n, high: 400n }), undefined, 'below the log start');
    // Refused checkpoints are removed: write it again for each case.
    for (const bounds of [{ low: 0n, high: 50n }]) {
      store.set(scope, 'b', { createdAtMs: NOW, outcome: 'ACCEPTED' });
      await keeper.prepare();
      keeper.committed(scope, keeper.mark());
      await keeper.flush();
      assert.equal(await keeper.read(scope, bounds), undefined, 'past the end');
    }
    store.set(scope, 'c', { createdAtMs: NOW, outcome: 'ACCEPTED' });
    await keeper.prepare();
    keeper.committed(scope, keeper.mark());
    await keeper.flush();
    const found = await keeper.read(scope, { low: 0n, high: 100n });
    assert.equal(found?.offset, 100n, 'inside the bounds it is used');
  });
});
