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
  const keeper = createCheckpointKeeper({
    stateDir,
    groupId: id.groupId,
    dedupTopic: id.dedupTopic,
    windowMs: 86_400_000,
    store,
    logger: pino({ level: 'silent' }),
    now: () => NOW,
  });
  return { stateDir, store, keeper, file: checkpointPath(stateDir, id) };
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
});
