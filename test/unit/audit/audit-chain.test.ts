/**
 * The audit chain's pure core against every tampering a writer without the
 * signing key can do: random chains with signed checkpoints verify clean, and
 * each kind of tampering is found, at the record where it happened, by the
 * check that should find it. Retention's removed prefix is not a divergence.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  chainOf,
  extendChain,
  GENESIS,
  hashRecord,
  type ChainFields,
  type ChainHead,
} from '../../../src/audit/audit-chain.ts';
import { signCheckpoint, spanRoot } from '../../../src/audit/checkpoint.ts';
import { leafHash, merkleRoot, nodeHash } from '../../../src/audit/merkle.ts';
import { verifyChains, type ReadAuditRecord, type ReadCheckpoint } from '../../../src/audit/verify-chain.ts';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const keys = new Map([['k1', publicKey]]);
const CHAIN = chainOf('cdp.events', 3);

const fields = fc.record({
  idempotencyKey: fc.string({ minLength: 1, maxLength: 12 }),
  outcome: fc.constantFrom('ACCEPTED', 'REJECTED', 'FAILED', 'DUPLICATE'),
  httpStatus: fc.option(fc.integer({ min: 200, max: 599 }), { nil: null }),
  processedAt: fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }),
});

/** A chained record as the verifier reads it back: at audit partition 3, at `offset`. */
function located(record: object & ChainFields, offset: number): ReadAuditRecord {
  const { chain, chainSeq, prevHash, recordHash, ...others } = record;
  const rest = others as Record<string, unknown>;
  return {
    chain,
    chainSeq,
    prevHash,
    recordHash,
    processedAt: rest.processedAt as number,
    partition: 3,
    offset: String(offset),
    fields: rest,
  };
}

interface Written {
  records: ReadAuditRecord[];
  checkpoints: ReadCheckpoint[];
}

/** Writes `batches` as the connector would: chained, with a signed checkpoint after each batch. */
function write(batches: Record<string, unknown>[][], checkpointEvery: boolean[] = []): Written {
  let head: ChainHead = GENESIS;
  let offset = 0;
  const records: ReadAuditRecord[] = [];
  const checkpoints: ReadCheckpoint[] = [];
  batches.forEach((batch, i) => {
    const firstSeq = head.seq + 1;
    const extended = extendChain(CHAIN, head, batch);
    head = extended.head;
    for (const r of extended.records) records.push(located(r, offset++));
    offset++; // the transaction's commit marker takes an offset
    if (checkpointEvery[i] !== false) {
      const span = records.filter((r) => r.chainSeq >= firstSeq).map((r) => r.recordHash);
      const body = {
        chain: CHAIN,
        firstSeq,
        lastSeq: head.seq,
        headHash: head.hash,
        merkleRoot: spanRoot(span),
        time: 1_750_000_000_000 + i,
        keyId: 'k1',
      };
      checkpoints.push({
        ...signCheckpoint(body, privateKey),
        partition: 0,
        offset: String(checkpoints.length),
      });
    }
  });
  return { records, checkpoints };
}

const batchesArb = fc.array(fc.array(fields, { minLength: 1, maxLength: 6 }), { minLength: 2, maxLength: 6 });

const checkOf = (w: Written) => verifyChains(w.records, w.checkpoints, keys).divergences[0]?.check;

describe('RFC 6962 hashing', () => {
  it('leaf and node hashes are domain-separated, and the tree splits at the largest power of two', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((x) => leafHash(x)) as [Buffer, Buffer, Buffer];
    assert.notDeepEqual(leafHash(Buffer.concat([a, b])), nodeHash(a, b));
    assert.deepEqual(merkleRoot([a]), a);
    assert.deepEqual(merkleRoot([a, b, c]), nodeHash(nodeHash(a, b), c));
    // RFC 6962's empty tree: SHA-256 of the empty string.
    assert.equal(
      merkleRoot([]).toString('hex'),
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });
});

describe('audit chain', () => {
  it('an untampered chain verifies clean, across transactions and their markers', () => {
    fc.assert(
      fc.property(batchesArb, (batches) => {
        const w = write(batches);
        const report = verifyChains(w.records, w.checkpoints, keys);
        assert.deepEqual(report.divergences, []);
        const summary = report.chains[0];
        assert.equal(summary?.records, batches.flat().length);
        assert.equal(summary?.lastSeq, batches.flat().length - 1);
        assert.equal(summary?.checkpoints, batches.length);
        assert.equal(summary?.unanchored, 0);
      }),
      { numRuns: 200 },
    );
  });

  it('a record edited in place: record-hash, at that record', () => {
    fc.assert(
      fc.property(batchesArb, fc.nat(), (batches, pick) => {
        const w = write(batches);
        const i = pick % w.records.length;
        const victim = w.records[i] as ReadAuditRecord;
        w.records[i] = {
          ...victim,
          fields: { ...victim.fields, outcome: `${String(victim.fields.outcome)}!` },
        };
        const d = verifyChains(w.records, w.checkpoints, keys).divergences[0];
        assert.equal(d?.check, 'record-hash');
        assert.equal(d?.chainSeq, victim.chainSeq);
        assert.equal(d?.offset, victim.offset);
      }),
      { numRuns: 200 },
    );
  });

  it('a record edited and re-hashed: the next link, or the signed head, gives it away', () => {
    fc.assert(
      fc.property(batchesArb, fc.nat(), (batches, pick) => {
        const w = write(batches);
        const i = pick % w.records.length;
        const victim = w.records[i] as ReadAuditRecord;
        const edited = { ...victim, fields: { ...victim.fields, outcome: 'ACCEPTED?' } };
        edited.recordHash = hashRecord({
          ...edited.fields,
          chain: edited.chain,
          chainSeq: edited.chainSeq,
          prevHash: edited.prevHash,
        });
        w.records[i] = edited;
        assert.ok(['link', 'checkpoint-head', 'checkpoint-merkle'].includes(checkOf(w) ?? ''), checkOf(w));
      }),
      { numRuns: 200 },
    );
  });

  it('a span deleted (a copy of the topic without it): gap', () => {
    fc.assert(
      fc.property(batchesArb, fc.nat(), fc.integer({ min: 1, max: 3 }), (batches, pick, length) => {
        const w = write(batches);
        fc.pre(w.records.length > length + 1);
        const start = 1 + (pick % (w.records.length - length - 1));
        w.records.splice(start, length);
        assert.equal(checkOf(w), 'gap');
      }),
      { numRuns: 200 },
    );
  });

  it('two records swapped: order', () => {
    fc.assert(
      fc.property(batchesArb, fc.nat(), (batches, pick) => {
        const w = write(batches);
        const i = pick % (w.records.length - 1);
        const a = w.records[i] as ReadAuditRecord;
        const b = w.records[i + 1] as ReadAuditRecord;
        w.records[i] = { ...b, offset: a.offset };
        w.records[i + 1] = { ...a, offset: b.offset };
        assert.equal(checkOf(w), 'order');
      }),
      { numRuns: 200 },
    );
  });

  it('a forged record appended with a valid-looking link: found when the real writer continues', () => {
    fc.assert(
      fc.property(batchesArb, fields, fields, (batches, forged, next) => {
        const w = write(batches);
        const last = w.records.at(-1) as ReadAuditRecord;
        const head = { seq: last.chainSeq, hash: last.recordHash };
        const [fake] = extendChain(CHAIN, head, [forged]).records;
        const [real] = extendChain(CHAIN, head, [next]).records;
        assert.ok(fake && real);
        const end = Number(last.offset) + 10;
        w.records.push(located(fake, end));
        assert.equal(checkOf(w), undefined, 'alone, a well-formed append is only unanchored');
        assert.equal(verifyChains(w.records, w.checkpoints, keys).chains[0]?.unanchored, 1);
        w.records.push(located(real, end + 1));
        assert.ok(['order', 'duplicate'].includes(checkOf(w) ?? ''), checkOf(w));
      }),
      { numRuns: 100 },
    );
  });

  it('an old checkpoint replayed: checkpoint-extends; a checkpoint signed with another key: checkpoint-signature', () => {
    fc.assert(
      fc.property(batchesArb, (batches) => {
        const w = write(batches);
        const replayed = { ...(w.checkpoints[0] as ReadCheckpoint), offset: String(w.checkpoints.length) };
        assert.equal(checkOf({ ...w, checkpoints: [...w.checkpoints, replayed] }), 'checkpoint-extends');
        const last = w.checkpoints.at(-1) as ReadCheckpoint;
        const forged = {
          ...signCheckpoint(last, other.privateKey),
          partition: last.partition,
          offset: last.offset,
        };
        assert.equal(
          checkOf({ ...w, checkpoints: [...w.checkpoints.slice(0, -1), forged] }),
          'checkpoint-signature',
        );
      }),
      { numRuns: 100 },
    );
  });

  it('a span whose records were re-chained consistently still fails its signed Merkle root', () => {
    const w = write([
      [
        { idempotencyKey: 'a', outcome: 'ACCEPTED', httpStatus: 200, processedAt: 1 },
        { idempotencyKey: 'b', outcome: 'ACCEPTED', httpStatus: 200, processedAt: 2 },
      ],
    ]);
    const rewritten = extendChain(
      CHAIN,
      GENESIS,
      w.records.map((r): Record<string, unknown> => ({ ...r.fields, outcome: 'REJECTED' })),
    );
    const records = rewritten.records.map((r, i) => located(r, i));
    assert.equal(checkOf({ records, checkpoints: w.checkpoints }), 'checkpoint-head');
  });

  it('a prefix removed by retention is not a divergence, and says where the records now start', () => {
    fc.assert(
      fc.property(batchesArb, fc.nat(), (batches, pick) => {
        const w = write(batches);
        const drop = 1 + (pick % (w.records.length - 1));
        const report = verifyChains(w.records.slice(drop), w.checkpoints, keys);
        assert.deepEqual(report.divergences, []);
        assert.equal(report.chains[0]?.retainedFrom, drop);
      }),
      { numRuns: 200 },
    );
  });
});
