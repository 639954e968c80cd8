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

function setup(endOffset: (partition: number) => Promise<bigint> = async () => 0n) {
  const stateDir = mkdtempSync(join(tmpdir(), 'keeper-'));
  const clock = { now: NOW };
  const store = createDedupStore({ maxEntries: 10_000, windowMs: 86_400_000, now: () => clock.now });
  const keeper = createCheckpointKeeper({
    stateDir,
    groupId: id.groupId,
    dedupTopic: id.dedupTopic,
    windowMs: 86_400_000,
    intervalMs: 60_000,
    endOffset,
    store,
    logger: pino({ level: 'silent' }),
    now: () => clock.now,
  });
  return { stateDir, store, keeper, clock, file: checkpointPath(stateDir, id) };
}

describe('the checkpoint keeper', () => {
  it('writes a scope at the end of its restore, as the table was then, at the restore end offset', async () => {
    const { stateDir, store, keeper } = setup();
    store.set(scope, 'restored', { createdAtMs: NOW, outcome: 'ACCEPTED' });
    keeper.restored(scope, 100n);
    // Processing starts: an entry whose transaction has not committed must not be in the checkpoint.
    store.set(scope, 'in-flight', { createdAtMs: NOW, outcome: 'ACCEPTED' });
    await keeper.flush();
    const read = await readCheckpoint(stateDir, id);
    assert.ok(read.status === 'found');
    assert.equal(read.checkpoint.offset, 100n);
    const copy = createDedupStore({ maxEntries: 10_000, windowMs: 86_400_000, now: () => NOW });
    copy.importScope(scope, read.checkpoint.snapshot);
    assert.equal(copy.get(scope, 'restored')?.outcome, 'ACCEPTED');
    assert.equal(copy.get(scope, 'in-flight'), undefined);
  });

  it('writes nothing for a scope that holds nothing', async () => {
    const { keeper, file } = setup();
    keeper.restored(scope, 0n);
    await keeper.flush();
    assert.equal(existsSync(file), false);
  });

  it('refuses a checkpoint past the partition end, below its start; uses one inside', async () => {
    const { store, keeper } = setup();
    const write = async () => {
      store.set(scope, 'a', { createdAtMs: NOW, outcome: 'ACCEPTED' });
      keeper.restored(scope, 100n);
      await keeper.flush();
    };
    await write();
    assert.equal(await keeper.read(scope, { low: 200n, high: 400n }), undefined, 'below the log start');
    await write();
    assert.equal(await keeper.read(scope, { low: 0n, high: 50n }), undefined, 'past the end');
    await write();
    assert.equal((await keeper.read(scope, { low: 0n, high: 100n }))?.offset, 100n, 'inside the bounds');
  });

  it('checkpoints an owned scope when due, at the end offset read then, without its uncommitted entries', async () => {
    let end = 500n;
    const { stateDir, store, keeper, clock } = setup(async (partition) => {
      assert.equal(partition, scope.partition);
      return end;
    });
    store.set(scope, 'restored', { createdAtMs: NOW, outcome: 'ACCEPTED' });
    keeper.restored(scope, 100n);
    assert.equal(keeper.due(scope), false, 'a restore just checkpointed it');
    clock.now += 60_000;
    assert.equal(keeper.due(scope), true);
    store.set(scope, 'committed', { createdAtMs: clock.now, outcome: 'ACCEPTED' });
    const pending = [
      store.remember(scope, 'done, not committed', { createdAtMs: clock.now, outcome: 'ACCEPTED' }),
    ];
    await keeper.owned(scope, () => pending);
    assert.equal(keeper.due(scope), false);
    await keeper.flush();
    const read = await readCheckpoint(stateDir, id);
    assert.ok(read.status === 'found');
    assert.equal(read.checkpoint.offset, 500n);
    const copy = createDedupStore({ maxEntries: 10_000, windowMs: 86_400_000, now: () => clock.now });
    copy.importScope(scope, read.checkpoint.snapshot);
    assert.equal(copy.get(scope, 'restored')?.outcome, 'ACCEPTED');
    assert.equal(copy.get(scope, 'committed')?.outcome, 'ACCEPTED');
    assert.equal(copy.get(scope, 'done, not committed'), undefined);
    assert.equal(store.get(scope, 'done, not committed')?.outcome, 'ACCEPTED', 'the live table keeps it');

    // The caller stopped while the offset was read: nothing is written.
    end = 900n;
    clock.now += 60_000;
    await keeper.owned(scope, () => undefined);
    await keeper.flush();
    const again = await readCheckpoint(stateDir, id);
    assert.ok(again.status === 'found');
    assert.equal(again.checkpoint.offset, 500n);
  });

  it('an end offset that cannot be read writes nothing and is not asked again before the interval', async () => {
    let asked = 0;
    const { stateDir, store, keeper, clock } = setup(async () => {
      asked++;
      throw new Error('broker down');
    });
    store.set(scope, 'a', { createdAtMs: NOW, outcome: 'ACCEPTED' });
    await keeper.owned(scope, () => []);
    await keeper.flush();
    assert.equal((await readCheckpoint(stateDir, id)).status, 'missing');
    assert.equal(keeper.due(scope), false);
    clock.now += 60_000;
    assert.equal(keeper.due(scope), true);
    assert.equal(asked, 1);
  });
});
