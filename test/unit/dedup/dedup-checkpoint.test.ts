import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  assertStateDir,
  checkpointPath,
  decodeCheckpoint,
  encodeCheckpoint,
  readCheckpoint,
  writeCheckpoint,
  type CheckpointIdentity,
} from '../../../src/dedup/dedup-checkpoint.ts';
import { createDedupStore } from '../../../src/dedup/dedup-store.ts';
import { DedupStateError } from '../../../src/errors.ts';

const ID: CheckpointIdentity = {
  groupId: 'g',
  dedupTopic: 'cxone.dedup',
  partition: 3,
  inputTopic: 'cdp.events',
};
const NOW = Date.UTC(2026, 11, 1);

function snapshotOf(keys: number) {
  const store = createDedupStore({ maxEntries: 1e6, windowMs: 86_400_000, now: () => NOW });
  const scope = { topic: ID.inputTopic, partition: ID.partition };
  for (let i = 0; i < keys; i++)
    store.set(scope, `k${i}`, { createdAtMs: NOW, outcome: i % 2 ? 'ACCEPTED' : 'FAILED', attempt: i % 3 });
  return store.viewScope(scope)!;
}

const bytesOf = (parts: Buffer[]) => Buffer.concat(parts);

describe('dedup checkpoints', () => {
  it('come back whole: offset, time and every entry', () => {
    const snapshot = snapshotOf(3000);
    const read = decodeCheckpoint(
      bytesOf(encodeCheckpoint(ID, { offset: 12345n, writtenAtMs: NOW, snapshot })),
      ID,
    );
    assert.equal(read.status, 'found');
    assert.ok(read.status === 'found');
    assert.equal(read.checkpoint.offset, 12345n);
    assert.equal(read.checkpoint.writtenAtMs, NOW);
    assert.deepEqual(read.checkpoint.snapshot.outcomes, snapshot.outcomes);
    assert.deepEqual(read.checkpoint.snapshot.words, snapshot.words);
    const store = createDedupStore({ maxEntries: 1e6, windowMs: 86_400_000, now: () => NOW });
    const scope = { topic: ID.inputTopic, partition: ID.partition };
    store.importScope(scope, read.checkpoint.snapshot);
    assert.equal(store.scopeSize(scope), 3000);
    assert.deepEqual(store.get(scope, 'k7'), { createdAtMs: NOW, outcome: 'ACCEPTED', attempt: 1 });
  });

  it('are refused when any byte was changed, when cut short, or when they are not checkpoints', () => {
    const bytes = bytesOf(encodeCheckpoint(ID, { offset: 1n, writtenAtMs: NOW, snapshot: snapshotOf(100) }));
    for (const at of [0, 9, 40, Math.floor(bytes.length / 2), bytes.length - 1]) {
      const tampered = Buffer.from(bytes);
      tampered[at]! ^= 0x01;
      const read = decodeCheckpoint(tampered, ID);
      assert.equal(read.status, 'refused', `a flipped bit at byte ${at}`);
    }
    assert.equal(decodeCheckpoint(bytes.subarray(0, bytes.length - 100), ID).status, 'refused');
    assert.equal(decodeCheckpoint(Buffer.from('hello'), ID).status, 'refused');
  });

  it('are refused when written for another group, dedup topic, partition or input topic', () => {
    const bytes = bytesOf(encodeCheckpoint(ID, { offset: 1n, writtenAtMs: NOW, snapshot: snapshotOf(10) }));
    for (const other of [{ groupId: 'h' }, { dedupTopic: 'x' }, { partition: 4 }, { inputTopic: 'y' }]) {
      const read = decodeCheckpoint(bytes, { ...ID, ...other });
      assert.equal(read.status, 'refused');
      assert.ok(read.status === 'refused');
      assert.match(read.reason, new RegExp(`another ${Object.keys(other)[0]}`));
    }
  });

  it('are written whole through a temporary file, and read back from disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    assert.equal((await readCheckpoint(dir, ID)).status, 'missing');
    await writeCheckpoint(dir, ID, { offset: 9n, writtenAtMs: NOW, snapshot: snapshotOf(50) });
    await writeCheckpoint(dir, ID, { offset: 10n, writtenAtMs: NOW, snapshot: snapshotOf(60) });
    const read = await readCheckpoint(dir, ID);
    assert.ok(read.status === 'found');
    assert.equal(read.checkpoint.offset, 10n);
    const folder = join(checkpointPath(dir, ID), '..');
    assert.deepEqual(readdirSync(folder), ['cdp%2Eevents.ckpt'], 'no temporary file is left behind');
    // A tampered file on disk is refused, not trusted.
    const file = checkpointPath(dir, ID);
    const bytes = readFileSync(file);
    bytes[bytes.length - 40]! ^= 0xff;
    writeFileSync(file, bytes);
    assert.equal((await readCheckpoint(dir, ID)).status, 'refused');
  });

  it('need a writable folder with room: a failure names dedup.stateDir and what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    await assertStateDir(join(dir, 'state'));
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    await assert.rejects(assertStateDir(join(file, 'state')), (error: unknown) => {
      assert.ok(error instanceof DedupStateError);
      assert.equal(error.code, 'DEDUP_STATE_DIR');
      assert.match(
        error.message,
        /^dedup\.stateDir .*a-file\/state: it is not a writable folder \(ENOTDIR\)/,
      );
      return true;
    });
    await assert.rejects(
      assertStateDir(dir, Number.MAX_SAFE_INTEGER),
      /MiB free, the checkpoints need at least/,
    );
  });
});
