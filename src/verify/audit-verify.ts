/**
 * `cxone-connector audit verify`: reads the audit and checkpoint topics
 * read_committed, decodes each audit record under its writer schema, and
 * hands them to the pure verifier (audit/verify-chain.ts). What it reads it
 * accounts for: records written before audit chains (schema v3 and older) are
 * counted, not judged; a checkpoint that is not one is a finding; a partition
 * an open transaction still pins is reported, never passed off as read.
 */
import type { KeyObject } from 'node:crypto';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Kafka } from 'kafkajs';
import { hashedBytes } from '../audit/audit-chain.ts';
import type { Checkpoint } from '../audit/checkpoint.ts';
import {
  verifyChains,
  type ReadAuditRecord,
  type ReadCheckpoint,
  type VerifyReport,
} from '../audit/verify-chain.ts';
import { HEADER_BYTES } from '../decode/wire-format.ts';
import { readTopic, type ReadRecord, type TopicContents } from '../replay/read-topic.ts';

/** A bound of the range to verify: a chain sequence, or a time (epoch ms) of processedAt. */
export type RangeBound = { seq: number } | { timeMs: number };

export interface AuditVerifyOptions {
  auditTopic: string;
  checkpointsTopic: string;
  /** Public keys by keyId. */
  keys: ReadonlyMap<string, KeyObject>;
  /** Only this chain (`<input topic>/<partition>`). */
  chain?: string | undefined;
  from?: RangeBound | undefined;
  /** Inclusive. */
  to?: RangeBound | undefined;
  /** The throwaway reader groups are `<groupPrefix>.reader-<uuid>`. */
  groupPrefix: string;
  timeoutMs?: number;
  onProgress?: (topic: string, read: bigint, total: bigint) => void;
}

export interface AuditVerifyResult {
  report: VerifyReport;
  /** Audit records written before chaining (no chain fields). */
  unchained: number;
  /** Values that could not be decoded, or checkpoints that are not checkpoints: where they are. */
  unreadable: { topic: string; partition: number; offset: string; reason: string }[];
  /** Partitions an open transaction pinned: read only up to `stable`. */
  pinned: { topic: string; partition: number; stable: bigint; high: bigint }[];
  /** Records read from the audit topic. */
  read: number;
}

export interface Decoded {
  chain?: string;
  chainSeq?: number;
  prevHash?: string;
  recordHash?: string;
  processedAt?: number;
}

export async function runAuditVerify(
  kafka: Kafka,
  registry: Pick<SchemaRegistry, 'decode'>,
  options: AuditVerifyOptions,
): Promise<AuditVerifyResult> {
  const read = (topic: string): Promise<TopicContents> =>
    readTopic(kafka, topic, options.timeoutMs ?? 600_000, options.groupPrefix, 30_000, (done, total) =>
      options.onProgress?.(topic, done, total),
    );
  // One after the other: the progress line follows one topic at a time.
  const audit = await read(options.auditTopic);
  const checkpointContents = await read(options.checkpointsTopic);
  const unreadable: AuditVerifyResult['unreadable'] = [];
  const records: ReadAuditRecord[] = [];
  let unchained = 0;
  for (const r of audit.records) {
    const decoded = await decodeAudit(registry, r);
    if (typeof decoded === 'string') {
      unreadable.push({
        topic: options.auditTopic,
        partition: r.partition,
        offset: r.offset,
        reason: decoded,
      });
      continue;
    }
    if (decoded === undefined) unchained++;
    else if (options.chain === undefined || decoded.chain === options.chain) records.push(decoded);
  }
  const checkpoints: ReadCheckpoint[] = [];
  for (const r of checkpointContents.records) {
    const checkpoint = parseCheckpoint(r.value);
    if (checkpoint === undefined)
      unreadable.push({
        topic: options.checkpointsTopic,
        partition: r.partition,
        offset: r.offset,
        reason: 'not a checkpoint',
      });
    else if (options.chain === undefined || checkpoint.chain === options.chain)
      checkpoints.push({ ...checkpoint, partition: r.partition, offset: r.offset });
  }
  const ranged = options.from !== undefined || options.to !== undefined;
  const selected = ranged ? inRange(records, options.from, options.to) : records;
  return {
    report: verifyChains(selected, checkpoints, options.keys, ranged),
    unchained,
    unreadable,
    pinned: [
      ...audit.pinned.map((p) => ({ topic: options.auditTopic, ...p })),
      ...checkpointContents.pinned.map((p) => ({ topic: options.checkpointsTopic, ...p })),
    ],
    read: audit.records.length,
  };
}

/** A chained audit record; undefined for one written before chains; a string says why it is unreadable. */
async function decodeAudit(
  registry: Pick<SchemaRegistry, 'decode'>,
  r: ReadRecord,
): Promise<ReadAuditRecord | undefined | string> {
  if (r.value === null) return 'no value';
  let decoded: Decoded;
  try {
    decoded = (await registry.decode(r.value)) as Decoded;
  } catch (error) {
    return `cannot be decoded (${(error as Error).message})`;
  }
  return chainedRecord(decoded, { partition: r.partition, offset: r.offset, value: r.value });
}

/**
 * An audit record as the verifier takes it, from its decoded fields and where it was read; undefined
 * for one written before chains, a string when its chain fields are incomplete.
 */
export function chainedRecord(
  decoded: Decoded,
  at: { partition: number; offset: string; value: Buffer },
): ReadAuditRecord | undefined | string {
  const { chain, chainSeq, prevHash, recordHash, processedAt } = decoded;
  if (chain === undefined || chain === '') return undefined;
  if (typeof chainSeq !== 'number' || typeof prevHash !== 'string' || typeof recordHash !== 'string')
    return 'its chain fields are incomplete';
  return {
    chain,
    chainSeq,
    prevHash,
    recordHash,
    processedAt: Number(processedAt ?? 0),
    partition: at.partition,
    offset: at.offset,
    hashed: hashedBytes(at.value, HEADER_BYTES, recordHash),
  };
}

function parseCheckpoint(value: Buffer | null): Checkpoint | undefined {
  if (value === null) return undefined;
  try {
    const c = JSON.parse(value.toString('utf8')) as Partial<Checkpoint>;
    const ok =
      typeof c.chain === 'string' &&
      Number.isSafeInteger(c.firstSeq) &&
      Number.isSafeInteger(c.lastSeq) &&
      typeof c.headHash === 'string' &&
      typeof c.merkleRoot === 'string' &&
      Number.isSafeInteger(c.time) &&
      typeof c.keyId === 'string' &&
      typeof c.signature === 'string';
    return ok ? (c as Checkpoint) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The records of each chain within the range. A time bound becomes a sequence bound per chain
 * (the first record processed at or after it; the last processed at or before it), and every
 * sequence between is kept: records finish out of order, so cutting by time alone would leave holes.
 */
function inRange(
  records: readonly ReadAuditRecord[],
  from: RangeBound | undefined,
  to: RangeBound | undefined,
): ReadAuditRecord[] {
  const byChain = new Map<string, ReadAuditRecord[]>();
  for (const r of records) {
    const list = byChain.get(r.chain);
    if (list) list.push(r);
    else byChain.set(r.chain, [r]);
  }
  const out: ReadAuditRecord[] = [];
  for (const list of byChain.values()) {
    // Loops, not Math.min(...): a chain of a few hundred thousand records would overflow the stack.
    let low = from === undefined ? -Infinity : 'seq' in from ? from.seq : Infinity;
    let high = to === undefined ? Infinity : 'seq' in to ? to.seq : -Infinity;
    for (const r of list) {
      if (from && 'timeMs' in from && r.processedAt >= from.timeMs) low = Math.min(low, r.chainSeq);
      if (to && 'timeMs' in to && r.processedAt <= to.timeMs) high = Math.max(high, r.chainSeq);
    }
    out.push(...list.filter((r) => r.chainSeq >= low && r.chainSeq <= high));
  }
  return out;
}
