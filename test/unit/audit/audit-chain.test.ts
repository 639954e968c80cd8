/**
 * The audit chain's pure core against every tampering a writer without the
 * signing key can do: random chains with signed checkpoints verify clean, and
 * each kind of tampering is found, at the record where it happened, by the
 * check that should find it. Retention's removed prefix is not a divergence.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import avro from 'avsc';
import fc from 'fast-check';
import { chainOf, extendChain, GENESIS, hashedBytes, hashRecord } from '../../../src/audit/audit-chain.ts';
import { signCheckpoint } from '../../../src/audit/checkpoint.ts';
import { advanceChain, chainStateAt, type ChainState } from '../../../src/audit/chain-writer.ts';
import { appendLeaf, frontierRoot, leafHash, merkleRoot, nodeHash } from '../../../src/audit/merkle.ts';
import { verifyChains, type ReadAuditRecord, type ReadCheckpoint } from '../../../src/audit/verify-chain.ts';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const keys = new Map([['k1', publicKey]]);
const CHAIN = chainOf('cdp.events', 3);
const HEADER = Buffer.from([0, 0, 0, 0, 7]);

type Fields = { idempotencyKey: string; outcome: string; httpStatus: number | null; processedAt: number };
const ownFields: avro.schema.RecordType['fields'] = [
  { name: 'idempotencyKey', type: 'string' },
  { name: 'outcome', type: 'string' },
  { name: 'httpStatus', type: ['null', 'int'] },
  { name: 'processedAt', type: 'long' },
];
/** A record's own fields, as the processor encodes them before the chain fields are known. */
const bodyType = avro.Type.forSchema({ type: 'record', name: 'A', fields: ownFields });
/** The same record with the chain fields last, as the audit schema v4 reads it back. */
const sealedType = avro.Type.forSchema({
  type: 'record',
  name: 'A',
  fields: [
    ...ownFields,
    { name: 'chain', type: 'string' },
    { name: 'chainSeq', type: 'long' },
    { name: 'prevHash', type: 'string' },
    { name: 'recordHash', type: 'string' },
  ],
});
const encode = (f: Fields) => Buffer.concat([HEADER, bodyType.toBuffer(f)]);

const fields = fc.record({
  idempotencyKey: fc.string({ minLength: 1, maxLength: 12 }),
  outcome: fc.constantFrom('ACCEPTED', 'REJECTED', 'FAILED', 'DUPLICATE'),
  httpStatus: fc.option(fc.integer({ min: 200, max: 599 }), { nil: null }),
  processedAt: fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }),
});

/** A sealed value as the verifier reads it back: decoded under v4, at audit partition 3, at `offset`. */
function located(value: Buffer, offset: number): ReadAuditRecord & { value: Buffer } {
  const r = sealedType.fromBuffer(value.subarray(HEADER.length)) as Fields & {
    chain: string;
    chainSeq: number;
    prevHash: string;
    recordHash: string;
  };
  return {
    chain: r.chain,
    chainSeq: r.chainSeq,
    prevHash: r.prevHash,
    recordHash: r.recordHash,
    processedAt: r.processedAt,
    partition: 3,
    offset: String(offset),
    hashed: hashedBytes(value, HEADER.length, r.recordHash),
    value,
  };
}

/** The record's own fields, decoded back from what was read. */
const fieldsOf = (r: { value: Buffer }): Fields => {
  const { idempotencyKey, outcome, httpStatus, processedAt } = sealedType.fromBuffer(
    r.value.subarray(HEADER.length),
  ) as Fields;
  return { idempotencyKey, outcome, httpStatus, processedAt };
};

interface Written {
  records: (ReadAuditRecord & { value: Buffer })[];
  checkpoints: ReadCheckpoint[];
}

/**
 * Writes `batches` as the connector would: one commit each, through advanceChain, a checkpoint at
 * the end of each (interval 0) unless `every` closes spans first; the state may pass to a new owner.
 */
function write(
  batches: Fields[][],
  every = 1_000_000,
  handOver: (s: ChainState) => ChainState = (s) => s,
): Written {
  let state = chainStateAt();
  let offset = 0;
  const written: Written = { records: [], checkpoints: [] };
  batches.forEach((batch, i) => {
    const policy = { every, intervalMs: 0, signer: { keyId: 'k1', privateKey } };
    const advanced = advanceChain(
      CHAIN,
      state,
      batch.map(encode),
      HEADER.length,
      1_750_000_000_000 + i,
      policy,
    );
    state = handOver(advanced.state);
    for (const v of advanced.values) written.records.push(located(v, offset++));
    offset++; // the transaction's commit marker takes an offset
    for (const c of advanced.checkpoints)
      written.checkpoints.push({ ...c, partition: 0, offset: String(written.checkpoints.length) });
  });
  return written;
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

describe('compact Merkle range', () => {
  it('grown one leaf at a time, it has the root of the whole tree, in popcount(n) hashes', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 70 }), (texts) => {
        const leaves = texts.map((t) => leafHash(t));
        const frontier: Buffer[] = [];
        leaves.forEach((leaf, n) => appendLeaf(frontier, n, leaf));
        assert.deepEqual(frontierRoot(frontier), merkleRoot(leaves));
        assert.equal(frontier.length, leaves.length.toString(2).replace(/0/g, '').length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('audit chain', () => {
  it('spans of `every` records, and a new owner continuing from the committed state alone, verify clean', () => {
    fc.assert(
      fc.property(batchesArb, fc.integer({ min: 1, max: 5 }), (batches, every) => {
        // What survives a change of owner: the head, the span's start and its frontier (the clock restarts).
        const handOver = (state: ChainState): ChainState => ({
          head: { ...state.head },
          spanFirst: state.spanFirst,
          frontier: state.frontier.map((h) => Buffer.from(h)),
          spanStartedAt: undefined,
        });
        const w = write(batches, every, handOver);
        const report = verifyChains(w.records, w.checkpoints, keys);
        assert.deepEqual(report.divergences, []);
        assert.equal(report.chains[0]?.unanchored, 0);
        for (const c of w.checkpoints) assert.ok(c.lastSeq - c.firstSeq + 1 <= every);
      }),
      { numRuns: 200 },
    );
  });

  it('without a signer, records are chained and no checkpoint is made', () => {
    const policy = { every: 1, intervalMs: 0, signer: undefined };
    const advanced = advanceChain(
      CHAIN,
      chainStateAt(),
      [encode({ idempotencyKey: 'a', outcome: 'ACCEPTED', httpStatus: 200, processedAt: 1 })],
      5,
      0,
      policy,
    );
    assert.deepEqual(advanced.checkpoints, []);
    assert.equal(advanced.state.head.seq, 0);
    assert.equal(hashRecord(located(advanced.values[0] as Buffer, 0).hashed), advanced.state.head.hash);
  });

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
        const victim = w.records[i] as Written['records'][number];
        const decoded = sealedType.fromBuffer(victim.value.subarray(HEADER.length)) as Fields;
        const value = Buffer.concat([
          HEADER,
          sealedType.toBuffer({ ...decoded, outcome: `${decoded.outcome}!` }),
        ]);
        w.records[i] = located(value, Number(victim.offset));
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
        const victim = w.records[i] as Written['records'][number];
        const before = { seq: victim.chainSeq - 1, hash: victim.prevHash };
        const [edited] = extendChain(
          CHAIN,
          before,
          [encode({ ...fieldsOf(victim), outcome: 'ACCEPTED?' })],
          5,
        ).values;
        w.records[i] = located(edited as Buffer, Number(victim.offset));
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
        const a = w.records[i] as Written['records'][number];
        const b = w.records[i + 1] as Written['records'][number];
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
        const [fake] = extendChain(CHAIN, head, [encode(forged)], 5).values;
        const [real] = extendChain(CHAIN, head, [encode(next)], 5).values;
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
      w.records.map((r) => encode({ ...fieldsOf(r), outcome: 'REJECTED' })),
      5,
    );
    const records = rewritten.values.map((v, i) => located(v, i));
    assert.equal(checkOf({ records, checkpoints: w.checkpoints }), 'checkpoint-head');
  });

  it('a chain of 200,000 records verifies without running out of stack', () => {
    const bodies = Array.from({ length: 200_000 }, (_, i) =>
      encode({ idempotencyKey: String(i), outcome: 'ACCEPTED', httpStatus: null, processedAt: 1000 + i }),
    );
    const extended = extendChain(CHAIN, GENESIS, bodies, HEADER.length);
    const { values } = extended;
    const hashes = extended.hashes.map((h) => h.toString('hex'));
    // Built from what extendChain returned, not decoded: the verifier is what is measured here.
    const records = values.map((value, i): ReadAuditRecord => ({
      chain: CHAIN,
      chainSeq: i,
      prevHash: i === 0 ? GENESIS.hash : (hashes[i - 1] as string),
      recordHash: hashes[i] as string,
      processedAt: 1000 + i,
      partition: 3,
      offset: String(i),
      hashed: hashedBytes(value, HEADER.length, hashes[i] as string),
    }));
    const report = verifyChains(records, [], keys);
    assert.deepEqual(report.divergences, []);
    assert.deepEqual([report.chains[0]?.firstTime, report.chains[0]?.lastTime], [1000, 200_999]);
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
