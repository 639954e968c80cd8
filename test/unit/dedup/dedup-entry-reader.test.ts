import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import avro from 'avsc';
import { createDedupEntryReader } from '../../../src/dedup/dedup-entry-reader.ts';
import { createWireEncoder } from '../../../src/decode/wire-format.ts';
import { readSchemaFile } from '../../../src/output/output-schemas.ts';

const type = avro.Type.forSchema(JSON.parse(readSchemaFile('cxone-dedup-entry')) as avro.Schema);
const encode = createWireEncoder(type, 7);
const entry = {
  idempotencyKey: 'welcome:e-1',
  outcome: 'ACCEPTED',
  createdAt: 1_700_000_000_000,
  sourceTopic: 'cdp.events',
  sourcePartition: 2,
  sourceOffset: 41,
  attempt: 3,
};

/** The registry's answer for schema id 7 (the real registry's client returns an avsc type), 404 otherwise. */
const registry = {
  getSchema: async (id: number) => {
    if (id === 7) return type as never;
    throw Object.assign(new Error('not found'), { status: 404 });
  },
};

describe('dedup entry reader', () => {
  it('knows no schema before it has learnt one, then reads synchronously', async () => {
    const reader = createDedupEntryReader(registry);
    const value = encode(entry);
    assert.equal(reader.read(value), undefined);
    await reader.learn(value);
    const read = reader.read(value);
    assert.equal(read?.outcome, 'ACCEPTED');
    assert.equal(read?.sourceTopic, 'cdp.events');
    assert.equal(read?.attempt, 3);
    assert.equal(Number(read?.createdAt), entry.createdAt);
  });

  it('refuses what is not the wire format, a truncated body and an unknown schema id, with their codes', async () => {
    const reader = createDedupEntryReader(registry);
    const value = encode(entry);
    await reader.learn(value);
    assert.throws(() => reader.read(Buffer.from([1, 0, 0, 0, 7, 0])), { code: 'DECODE_MAGIC_BYTE' });
    assert.throws(() => reader.read(value.subarray(0, value.length - 3)), { code: 'DECODE_AVRO' });
    assert.throws(() => reader.read(Buffer.concat([value, Buffer.from([0])])), { code: 'DECODE_AVRO' });
    const other = Buffer.from(value);
    other.writeInt32BE(8, 1);
    await assert.rejects(reader.learn(other), { code: 'DECODE_UNKNOWN_SCHEMA', retryable: false });
  });

  it('says the registry did not answer, as retryable, for anything but a 404', async () => {
    const reader = createDedupEntryReader({
      getSchema: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED'), { status: undefined });
      },
    });
    await assert.rejects(reader.learn(encode(entry)), { code: 'REGISTRY_UNAVAILABLE', retryable: true });
  });
});
