import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import avro from 'avsc';
import { createWireEncoder, HEADER_BYTES, toWireFormat } from '../../../src/decode/wire-format.ts';

const type = avro.Type.forSchema({
  type: 'record',
  name: 'Sample',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'n', type: 'long' },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
});

describe('createWireEncoder', () => {
  it('writes the same bytes as the header joined to avsc’s own encoding', () => {
    const encode = createWireEncoder<object>(type, 4242);
    for (const record of [
      { id: 'a', n: 1, note: null },
      { id: 'ü-ß', n: -123456789, note: 'x'.repeat(300) },
    ]) {
      assert.deepEqual(encode(record), toWireFormat(4242, type.toBuffer(record)));
    }
  });

  it('grows past its scratch space for a large record, and small ones after it are still right', () => {
    const encode = createWireEncoder<object>(type, 7);
    const big = { id: 'big', n: 2, note: 'é'.repeat(5_000) };
    const small = { id: 's', n: 3, note: null };
    const bigWire = encode(big);
    const smallWire = encode(small);
    assert.equal(bigWire.readInt32BE(1), 7);
    assert.deepEqual({ ...type.fromBuffer(bigWire.subarray(HEADER_BYTES)) }, big);
    assert.deepEqual({ ...type.fromBuffer(smallWire.subarray(HEADER_BYTES)) }, small);
  });

  it('each message is its own copy: a later encode does not change an earlier one', () => {
    const encode = createWireEncoder<object>(type, 1);
    const first = encode({ id: 'first', n: 1, note: null });
    const copy = Buffer.from(first);
    encode({ id: 'second', n: 2, note: 'overwrites the scratch' });
    assert.deepEqual(first, copy);
  });

  it('a record that does not match the type throws, and the next one encodes', () => {
    const encode = createWireEncoder<object>(type, 1);
    assert.throws(() => encode({ id: 5, n: 'x' }));
    const ok = { id: 'ok', n: 9, note: null };
    assert.deepEqual({ ...type.fromBuffer(encode(ok).subarray(HEADER_BYTES)) }, ok);
  });
});
