/**
 * Local checkpoints of the dedup store, one file per input topic-partition
 * (scope), so that a restarted instance restores only the dedup topic's tail
 * instead of its whole history (Kafka Streams' `.checkpoint`, with the state
 * in the file itself). A checkpoint says: "this table holds every entry of the
 * scope written to dedup partition p below `offset`". Reading past `offset`
 * to the end again makes the scope whole: entries are last-writer-wins per
 * key, so records read twice change nothing.
 *
 * A file is trusted only when all of it checks out: the magic and format, a
 * SHA-256 over everything before it, and the identity it was written for
 * (group, dedup topic, partition, input topic). The claim also refuses an
 * offset outside the partition's current [log start, end] (dedup-restorer.ts).
 * Anything else is a reason to rebuild from the topic, never to trust it.
 * Writes go to a temporary file that is fsynced and renamed over the old one:
 * a kill mid-write leaves the previous checkpoint, or none, never half a one.
 */
import { createHash, randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { closeSync, mkdirSync, openSync, rmSync, writevSync } from 'node:fs';
import { access, mkdir, open, readFile, rename, rm, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { DedupStateError, describeError } from '../errors.ts';
import type { ScopeSnapshot } from './dedup-store.ts';

const MAGIC = Buffer.from('CXDEDUP\u0001', 'latin1');
const FORMAT = 1;
const DIGEST_BYTES = 32;

export interface CheckpointIdentity {
  groupId: string;
  dedupTopic: string;
  partition: number;
  inputTopic: string;
}

export interface Checkpoint {
  /** The dedup partition's offset the table is complete below. */
  offset: bigint;
  writtenAtMs: number;
  snapshot: ScopeSnapshot;
}

interface Header extends CheckpointIdentity {
  format: number;
  offset: string;
  writtenAtMs: number;
  words: number;
  outcomes: string[];
}

export type CheckpointRead =
  { status: 'found'; checkpoint: Checkpoint } | { status: 'missing' } | { status: 'refused'; reason: string };

/** `<stateDir>/<group>/<dedup topic>-<partition>/<input topic>.ckpt`, every name made path-safe. */
export function checkpointPath(stateDir: string, id: CheckpointIdentity): string {
  const safe = (name: string) => encodeURIComponent(name).replaceAll('.', '%2E');
  return join(
    stateDir,
    safe(id.groupId),
    `${safe(id.dedupTopic)}-${id.partition}`,
    `${safe(id.inputTopic)}.ckpt`,
  );
}

export function encodeCheckpoint(id: CheckpointIdentity, checkpoint: Checkpoint): Buffer[] {
  const { words, outcomes } = checkpoint.snapshot;
  const header: Header = {
    format: FORMAT,
    groupId: id.groupId,
    dedupTopic: id.dedupTopic,
    partition: id.partition,
    inputTopic: id.inputTopic,
    offset: checkpoint.offset.toString(),
    writtenAtMs: checkpoint.writtenAtMs,
    words: words.length,
    outcomes: [...outcomes],
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  // The table starts on a 4-byte boundary so that reading it back is one aligned view, no copy.
  const padded = Buffer.alloc(MAGIC.length + 4 + json.length + ((4 - ((4 + json.length) % 4)) % 4));
  MAGIC.copy(padded, 0);
  padded.writeUInt32LE(json.length, MAGIC.length);
  json.copy(padded, MAGIC.length + 4);
  const table = Buffer.from(words.buffer, words.byteOffset, words.byteLength);
  const digest = createHash('sha256').update(padded).update(table).digest();
  return [padded, table, digest];
}

export function decodeCheckpoint(bytes: Buffer, expected: CheckpointIdentity): CheckpointRead {
  if (bytes.length < MAGIC.length + 4 + DIGEST_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    return { status: 'refused', reason: 'not a dedup checkpoint (bad magic)' };
  }
  const body = bytes.subarray(0, bytes.length - DIGEST_BYTES);
  const digest = createHash('sha256').update(body).digest();
  if (!digest.equals(bytes.subarray(bytes.length - DIGEST_BYTES))) {
    return { status: 'refused', reason: 'its checksum does not match (corrupt or altered)' };
  }
  const jsonLength = bytes.readUInt32LE(MAGIC.length);
  let header: Header;
  try {
    header = JSON.parse(bytes.toString('utf8', MAGIC.length + 4, MAGIC.length + 4 + jsonLength)) as Header;
  } catch {
    return { status: 'refused', reason: 'its header is not JSON' };
  }
  if (header.format !== FORMAT) {
    return { status: 'refused', reason: `format ${String(header.format)}, this version reads ${FORMAT}` };
  }
  for (const field of ['groupId', 'dedupTopic', 'partition', 'inputTopic'] as const) {
    if (header[field] !== expected[field]) {
      return { status: 'refused', reason: `written for another ${field} (${String(header[field])})` };
    }
  }
  const start = MAGIC.length + 4 + jsonLength + ((4 - ((4 + jsonLength) % 4)) % 4);
  if (body.length - start !== header.words * 4 || !/^\d+$/.test(header.offset)) {
    return { status: 'refused', reason: 'its size does not match its header' };
  }
  // A copy on its own buffer: the store keeps it, and it must not pin the whole file read.
  const words = new Uint32Array(header.words);
  Buffer.from(words.buffer).set(body.subarray(start));
  return {
    status: 'found',
    checkpoint: {
      offset: BigInt(header.offset),
      writtenAtMs: header.writtenAtMs,
      snapshot: { words, outcomes: header.outcomes },
    },
  };
}

export async function readCheckpoint(stateDir: string, id: CheckpointIdentity): Promise<CheckpointRead> {
  let bytes: Buffer;
  try {
    bytes = await readFile(checkpointPath(stateDir, id));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing' };
    return { status: 'refused', reason: `it cannot be read: ${describeError(error)}` };
  }
  return decodeCheckpoint(bytes, id);
}

/**
 * The checkpoint's bytes in a temporary file beside its path, not yet durable. Synchronous, so that
 * the table is written as it is at the call, with no copy of it (a copy was as large again as the
 * table, 150 MB at 5,000,000 keys): the caller's table may change as soon as this returns.
 */
export function stageCheckpoint(stateDir: string, id: CheckpointIdentity, checkpoint: Checkpoint): string {
  const path = checkpointPath(stateDir, id);
  const temporary = `${path}.${randomUUID().slice(0, 8)}.tmp`;
  try {
    mkdirSync(join(path, '..'), { recursive: true });
    const buffers = encodeCheckpoint(id, checkpoint);
    const fd = openSync(temporary, 'w');
    try {
      const written = writevSync(fd, buffers);
      const expected = buffers.reduce((n, b) => n + b.length, 0);
      if (written !== expected) throw new Error(`wrote ${written} of ${expected} bytes`);
    } finally {
      closeSync(fd);
    }
    return temporary;
  } catch (error) {
    rmSync(temporary, { force: true });
    throw stateDirError(stateDir, 'cannot write a dedup checkpoint to it', error);
  }
}

/** Makes a staged checkpoint durable and puts it in place: fsync, rename, fsync of the folder. */
export async function commitCheckpoint(
  stateDir: string,
  id: CheckpointIdentity,
  temporary: string,
  /** Test-only: the chaos run's crash point between the temporary file and the rename. */
  faultPoint?: (name: string) => void,
): Promise<void> {
  const path = checkpointPath(stateDir, id);
  const dir = join(path, '..');
  try {
    const file = await open(temporary, 'r+');
    try {
      await file.sync();
    } finally {
      await file.close();
    }
    faultPoint?.('during-checkpoint');
    await rename(temporary, path);
    const folder = await open(dir, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw stateDirError(stateDir, 'cannot write a dedup checkpoint to it', error);
  }
}

/** Writes the checkpoint whole or not at all (temporary file, fsync, rename, fsync of the folder). */
export async function writeCheckpoint(
  stateDir: string,
  id: CheckpointIdentity,
  checkpoint: Checkpoint,
  faultPoint?: (name: string) => void,
): Promise<void> {
  await commitCheckpoint(stateDir, id, stageCheckpoint(stateDir, id, checkpoint), faultPoint);
}

/** Removes the scope's checkpoint (one that was refused, so it is not read again). */
export async function removeCheckpoint(stateDir: string, id: CheckpointIdentity): Promise<void> {
  await rm(checkpointPath(stateDir, id), { force: true });
}

/** A writable folder with room for at least `needBytes`: checked at start and by `check`. */
export async function assertStateDir(stateDir: string, needBytes = 64 * 1024 * 1024): Promise<void> {
  const probe = join(stateDir, `.probe-${randomUUID().slice(0, 8)}`);
  try {
    await mkdir(stateDir, { recursive: true });
    await access(stateDir, constants.W_OK);
    const file = await open(probe, 'w');
    try {
      await file.write(Buffer.alloc(4096));
      await file.sync();
    } finally {
      await file.close();
    }
  } catch (error) {
    throw stateDirError(stateDir, 'it is not a writable folder', error);
  } finally {
    await rm(probe, { force: true }).catch(() => undefined);
  }
  const space = await statfs(stateDir);
  const free = space.bavail * space.bsize;
  if (free < needBytes) {
    throw new DedupStateError(
      `dedup.stateDir ${stateDir} has ${Math.floor(free / 1048576)} MiB free, the checkpoints need at least ${Math.ceil(needBytes / 1048576)} MiB: give the volume more room (docs/dedup-store.md "Dedup store")`,
    );
  }
}

function stateDirError(stateDir: string, what: string, cause: unknown): DedupStateError {
  const code = (cause as NodeJS.ErrnoException).code;
  const hint =
    code === 'ENOSPC'
      ? 'the volume is full: give it more room'
      : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? 'mount it writable for the connector user'
        : 'point dedup.stateDir at a writable folder on a persistent volume';
  return new DedupStateError(
    `dedup.stateDir ${stateDir}: ${what} (${code ?? describeError(cause)}); ${hint} (docs/dedup-store.md "Dedup store")`,
    {
      cause,
    },
  );
}
