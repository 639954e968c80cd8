/**
 * The dedup store alone, at the size the window must hold: memory per key,
 * lookup and insert cost, and the checkpoint's write, read and import time.
 * In-process and Kafka-free (what it measures is the store); the end-to-end
 * state run on the real stack is `npm run bench -- --modes state`
 * (docs/dedup-store.md says what it covers today).
 *
 *   node --expose-gc bench/dedup-store.ts [--keys 5000000] [--partitions 6] [--json out.json]
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  checkpointPath,
  commitCheckpoint,
  readCheckpoint,
  stageCheckpoint,
} from '../src/dedup/dedup-checkpoint.ts';
import { createDedupStore } from '../src/dedup/dedup-store.ts';

const { values } = parseArgs({
  options: {
    keys: { type: 'string', default: '5000000' },
    partitions: { type: 'string', default: '6' },
    json: { type: 'string' },
  },
});
const keys = Number(values.keys);
const partitions = Number(values.partitions);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;

gc();
const rssBefore = process.memoryUsage().rss;
const now = Date.now();
const store = createDedupStore({ maxEntries: keys * 2, windowMs: 7 * 86_400_000, now: () => now });
const scope = (i: number) => ({ topic: 'cdp.events', partition: i % partitions });
const keyOf = (i: number) => `welcome:evt-${i.toString(36)}-0000-4000-8000-000000000000`;

let started = performance.now();
for (let i = 0; i < keys; i++)
  store.set(scope(i), keyOf(i), { createdAtMs: now - (keys - i), outcome: 'ACCEPTED' });
const insertNs = ((performance.now() - started) * 1e6) / keys;
gc();
const rssFull = process.memoryUsage().rss;

const probes = 1_000_000;
started = performance.now();
let hits = 0;
for (let i = 0; i < probes; i++) if (store.get(scope((i * 7) % keys), keyOf((i * 7) % keys))) hits++;
const hitNs = ((performance.now() - started) * 1e6) / probes;
started = performance.now();
let misses = 0;
for (let i = 0; i < probes; i++) if (!store.get(scope(i), `never:${i}`)) misses++;
const missNs = ((performance.now() - started) * 1e6) / probes;
if (hits !== probes || misses !== probes)
  throw new Error(`lookups went wrong: ${hits} hits, ${misses} misses`);

const dir = mkdtempSync(join(tmpdir(), 'dedup-bench-'));
const id = { groupId: 'bench', dedupTopic: 'cxone.dedup', partition: 0, inputTopic: 'cdp.events' };
// As an owned partition's checkpoint is taken: a commit boundary's uncommitted entries (a
// partition's default buffer of 256) undone, the file staged while the event loop waits, then made
// durable in the background.
const uncommitted = Array.from({ length: 256 }, (_, i) =>
  store.remember(scope(0), `uncommitted-${i}`, { createdAtMs: now, outcome: 'ACCEPTED' }),
);
started = performance.now();
let staged = '';
store.viewCommitted(scope(0), uncommitted, (snapshot) => {
  staged = stageCheckpoint(dir, id, { offset: 1n, writtenAtMs: now, snapshot });
});
const stallS = (performance.now() - started) / 1000;
await commitCheckpoint(dir, id, staged);
const writeS = (performance.now() - started) / 1000;
const fileBytes = statSync(checkpointPath(dir, id)).size;
started = performance.now();
const read = await readCheckpoint(dir, id);
if (read.status !== 'found') throw new Error('the checkpoint did not read back');
const other = createDedupStore({ maxEntries: keys * 2, windowMs: 7 * 86_400_000, now: () => now });
other.importScope(scope(0), read.checkpoint.snapshot);
const loadS = (performance.now() - started) / 1000;
rmSync(dir, { recursive: true, force: true });

const summary = {
  keys,
  partitions,
  rss_mb_before: mb(rssBefore),
  rss_mb_full: mb(rssFull),
  bytes_per_key: Math.round((rssFull - rssBefore) / keys),
  insert_ns: Math.round(insertNs),
  lookup_hit_ns: Math.round(hitNs),
  lookup_miss_ns: Math.round(missNs),
  checkpoint_keys: other.scopeSize(scope(0)),
  checkpoint_mb: mb(fileBytes),
  /** The event loop's wait while an owned partition's checkpoint is staged. */
  checkpoint_stall_s: Math.round(stallS * 1000) / 1000,
  checkpoint_write_s: Math.round(writeS * 1000) / 1000,
  checkpoint_load_s: Math.round(loadS * 1000) / 1000,
  checkpoint_load_keys_per_s: Math.round(other.scopeSize(scope(0)) / loadS),
};
console.log(JSON.stringify(summary, null, 2));
if (values.json) writeFileSync(values.json, JSON.stringify(summary, null, 2));
