/**
 * Verifies audit chains as read back from the audit and checkpoint topics
 * (read_committed), and names the first divergence: which chain, which
 * sequence, where in the topic, and which check failed. Pure: the CLI reads,
 * this judges.
 *
 * Checks, per chain: each record's hash (an edit), its order within its audit
 * partition (a re-order), one record per sequence (a forged or edited copy),
 * contiguous sequences (a deleted span; a prefix removed by retention is told
 * apart by a checkpoint that anchors where the records now start), each link,
 * and each checkpoint: its signature under its keyId, that it extends the one
 * before (a replayed old checkpoint does not), its head hash and its Merkle root.
 */
import type { KeyObject } from 'node:crypto';
import { chainLink, GENESIS, hashRecord } from './audit-chain.ts';
import { checkpointSignatureValid, spanRoot, type Checkpoint } from './checkpoint.ts';

export interface ReadAuditRecord {
  chain: string;
  chainSeq: number;
  prevHash: string;
  recordHash: string;
  processedAt: number;
  /** Where it was read: the audit topic's partition and offset. */
  partition: number;
  offset: string;
  /** The bytes recordHash covers: the record's Avro body up to and including prevHash (audit-chain.ts). */
  hashed: Buffer;
}

export interface ReadCheckpoint extends Checkpoint {
  partition: number;
  offset: string;
}

export type CheckName =
  | 'record-hash'
  | 'order'
  | 'duplicate'
  | 'gap'
  | 'link'
  | 'checkpoint-key'
  | 'checkpoint-signature'
  | 'checkpoint-extends'
  | 'checkpoint-head'
  | 'checkpoint-merkle';

export interface Divergence {
  chain: string;
  chainSeq: number;
  /** The audit (or checkpoint) topic partition and offset of the record that fails. */
  partition: number;
  offset: string;
  check: CheckName;
  detail: string;
}

export interface ChainSummary {
  chain: string;
  records: number;
  firstSeq: number;
  lastSeq: number;
  firstTime: number | undefined;
  lastTime: number | undefined;
  checkpoints: number;
  /** Records after the last checkpoint: linked, but not yet covered by a signature. */
  unanchored: number;
  /** The first sequence still held, when retention removed the ones before it. */
  retainedFrom: number | undefined;
}

export interface VerifyReport {
  chains: ChainSummary[];
  /** The first divergence of each chain that has one; empty when everything holds. */
  divergences: Divergence[];
}

/** The record hashes to its recordHash, and the bytes hashed end in the chain fields it states. */
function hashHolds(r: ReadAuditRecord): boolean {
  const link = chainLink(r.chain, r.chainSeq, r.prevHash);
  return (
    r.hashed.length >= link.length &&
    r.hashed.subarray(r.hashed.length - link.length).equals(link) &&
    hashRecord(r.hashed) === r.recordHash
  );
}

function verifyOne(
  chain: string,
  records: readonly ReadAuditRecord[],
  checkpoints: readonly ReadCheckpoint[],
  keys: ReadonlyMap<string, KeyObject>,
  openStart: boolean,
): { summary: ChainSummary; divergence: Divergence | undefined } {
  const at = (r: ReadAuditRecord, check: CheckName, detail: string): Divergence => ({
    chain,
    chainSeq: r.chainSeq,
    partition: r.partition,
    offset: r.offset,
    check,
    detail,
  });
  let divergence: Divergence | undefined;
  const fail = (d: Divergence): void => {
    divergence ??= d;
  };

  // Edits and re-orders show in the records as read, before they are put in sequence order.
  const lastInPartition = new Map<number, ReadAuditRecord>();
  for (const r of records) {
    if (!hashHolds(r))
      fail(
        at(
          r,
          'record-hash',
          'the record does not hash to its recordHash: it was changed after it was written',
        ),
      );
    const before = lastInPartition.get(r.partition);
    if (before && r.chainSeq <= before.chainSeq)
      fail(
        at(
          r,
          'order',
          `sequence ${r.chainSeq} comes after ${before.chainSeq} in audit partition ${r.partition}`,
        ),
      );
    lastInPartition.set(r.partition, r);
  }

  const bySeq = new Map<number, ReadAuditRecord>();
  for (const r of records) {
    const seen = bySeq.get(r.chainSeq);
    if (seen)
      fail(
        at(
          r,
          'duplicate',
          `a second record claims sequence ${r.chainSeq} (the first at ${seen.partition}@${seen.offset})`,
        ),
      );
    else bySeq.set(r.chainSeq, r);
  }
  const seqs = [...bySeq.keys()].sort((a, b) => a - b);
  const first = seqs[0] ?? 0;
  const last = seqs.at(-1) ?? -1;
  const ordered = [...checkpoints].sort((a, b) => Number(a.offset) - Number(b.offset));

  // Where the records start: sequence 0, or an anchor a checkpoint gives (retention removed the rest).
  let retainedFrom: number | undefined;
  let prevHash = GENESIS.hash;
  if (first > 0) {
    const anchor = ordered.find((c) => c.lastSeq === first - 1);
    const covering = ordered.find((c) => c.firstSeq <= first && first <= c.lastSeq);
    const firstRecord = bySeq.get(first);
    if (anchor) {
      retainedFrom = first;
      prevHash = anchor.headHash;
    } else if (covering) {
      retainedFrom = first;
      prevHash = firstRecord?.prevHash ?? prevHash;
    } else if (firstRecord && openStart) {
      // A range asked for (audit verify --from): its first record is taken as it links.
      prevHash = firstRecord.prevHash;
    } else if (firstRecord) {
      fail(
        at(
          firstRecord,
          'gap',
          `the chain starts at sequence ${first} and no checkpoint accounts for the ${first} before it`,
        ),
      );
      prevHash = firstRecord.prevHash;
    }
  }
  for (let seq = first; seq <= last; seq++) {
    const r = bySeq.get(seq);
    if (!r) {
      const next = bySeq.get(seqs.find((s) => s > seq) ?? last);
      if (next)
        fail(at(next, 'gap', `sequence ${seq} is missing before ${next.chainSeq}: a span was removed`));
      prevHash = next?.prevHash ?? prevHash;
      seq = (next?.chainSeq ?? last + 1) - 1;
      continue;
    }
    if (r.prevHash !== prevHash)
      fail(at(r, 'link', `prevHash does not match the recordHash of sequence ${seq - 1}`));
    prevHash = r.recordHash;
  }

  let previous: ReadCheckpoint | undefined;
  let counted = 0;
  for (const c of ordered) {
    const where = { chain, chainSeq: c.lastSeq, partition: c.partition, offset: c.offset };
    const key = keys.get(c.keyId);
    if (!key) fail({ ...where, check: 'checkpoint-key', detail: `no public key for keyId ${c.keyId}` });
    else if (!checkpointSignatureValid(c, key))
      fail({
        ...where,
        check: 'checkpoint-signature',
        detail: `the signature does not verify under keyId ${c.keyId}`,
      });
    if (previous && (c.firstSeq !== previous.lastSeq + 1 || c.lastSeq < c.firstSeq))
      fail({
        ...where,
        check: 'checkpoint-extends',
        detail: `covers ${c.firstSeq}..${c.lastSeq} after one that ended at ${previous.lastSeq} (an old checkpoint replayed, or one removed)`,
      });
    previous = c;
    const span = [];
    for (let seq = c.firstSeq; seq <= c.lastSeq; seq++) span.push(bySeq.get(seq));
    if (c.firstSeq < first) continue; // its start was removed by retention: only the rest is checked
    counted++;
    const head = bySeq.get(c.lastSeq);
    if (head === undefined || span.some((r) => r === undefined)) {
      if (c.lastSeq <= last)
        fail({
          ...where,
          check: 'checkpoint-merkle',
          detail: `records ${c.firstSeq}..${c.lastSeq} are not all present`,
        });
      continue;
    }
    if (head.recordHash !== c.headHash)
      fail({
        ...where,
        check: 'checkpoint-head',
        detail: `sequence ${c.lastSeq} does not hash to the signed head`,
      });
    else if (spanRoot(span.map((r) => (r as ReadAuditRecord).recordHash)) !== c.merkleRoot)
      fail({
        ...where,
        check: 'checkpoint-merkle',
        detail: `records ${c.firstSeq}..${c.lastSeq} do not match the signed Merkle root`,
      });
  }
  // A loop, not Math.min(...): a chain of a few hundred thousand records would overflow the stack.
  let firstTime: number | undefined;
  let lastTime: number | undefined;
  for (const r of records) {
    if (firstTime === undefined || r.processedAt < firstTime) firstTime = r.processedAt;
    if (lastTime === undefined || r.processedAt > lastTime) lastTime = r.processedAt;
  }
  return {
    summary: {
      chain,
      records: records.length,
      firstSeq: first,
      lastSeq: last,
      firstTime,
      lastTime,
      checkpoints: counted,
      unanchored: Math.max(0, last - (previous?.lastSeq ?? first - 1)),
      retainedFrom,
    },
    divergence,
  };
}

/**
 * Verifies every chain that has records or checkpoints. `openStart`: the records are a range that
 * starts where the caller chose, so a chain starting past 0 needs no checkpoint to account for it.
 */
export function verifyChains(
  records: readonly ReadAuditRecord[],
  checkpoints: readonly ReadCheckpoint[],
  keys: ReadonlyMap<string, KeyObject>,
  openStart = false,
): VerifyReport {
  // One pass to group them: filtering per chain would read every record once per chain.
  const byChain = new Map<string, { records: ReadAuditRecord[]; checkpoints: ReadCheckpoint[] }>();
  const of = (chain: string) => {
    let group = byChain.get(chain);
    if (!group) byChain.set(chain, (group = { records: [], checkpoints: [] }));
    return group;
  };
  for (const r of records) of(r.chain).records.push(r);
  for (const c of checkpoints) of(c.chain).checkpoints.push(c);
  const report: VerifyReport = { chains: [], divergences: [] };
  for (const [chain, group] of [...byChain].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const { summary, divergence } = verifyOne(chain, group.records, group.checkpoints, keys, openStart);
    report.chains.push(summary);
    if (divergence) report.divergences.push(divergence);
  }
  return report;
}
