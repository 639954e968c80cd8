// The encoder's speed-ups (varints written in place, small varlongs without Long objects,
// pooled buffers) must write exactly the bytes of the unforked encoder: these vectors were
// written by kafkajs 2.2.4 as published.
const assert = require('node:assert/strict')
const { describe, it } = require('node:test')

const Encoder = require('../src/protocol/encoder')
const Record = require('../src/protocol/recordBatch/record/v0')
const Long = require('../src/utils/long')

const VARLONG = [
  [0, '00'],
  [1, '02'],
  [63, '7e'],
  [64, '8001'],
  [300, 'd804'],
  [16384, '808002'],
  [1073741823, 'feffffff07'],
  [1073741824, '8080808008'],
  [2147483647, 'feffffff0f'],
  [-1, '01'],
  [-64, '7f'],
  [-300, 'd704'],
  [-1073741824, 'ffffffff07'],
  [-2147483648, 'ffffffff0f'],
  [1099511627776, '808080808040'],
  [-1099511627776, 'ffffffffff3f'],
  [1700000000000, '80a0abfef962'],
];
/** The same bytes as varints, within the range a 32-bit zigzag holds. */
const VARINT = VARLONG.filter(([value]) => value >= -(2 ** 30) && value < 2 ** 31);

describe('the patched kafkajs encoder writes the bytes kafkajs 2.2.4 wrote', () => {
  it('varlongs, small (the fast path) and large (Long arithmetic)', () => {
    for (const [value, hex] of VARLONG)
      assert.equal(new Encoder().writeVarLong(value).buffer.toString('hex'), hex, String(value));
    assert.equal(
      new Encoder().writeVarLong(Long.fromString('1700000000000')).buffer.toString('hex'),
      '80a0abfef962',
    );
  });

  it('varints, and the size a varlong takes', () => {
    for (const [value, hex] of VARINT)
      assert.equal(new Encoder().writeVarInt(value).buffer.toString('hex'), hex, String(value));
    for (const [value, hex] of VARLONG)
      assert.equal(Encoder.sizeOfVarLong(value), hex.length / 2, String(value));
  });

  it('a record with a key, a value and repeated headers', () => {
    const record = Record({
      offsetDelta: 130,
      timestampDelta: 4000,
      key: Buffer.from('route:evt-1'),
      value: Buffer.from('00000000070a68656c6c6f', 'hex'),
      headers: { 'x-cxone-replay-of': 'dlq/0/17', multi: ['a', 'bb'] },
    });
    assert.equal(
      record.buffer.toString('hex'),
      '940100c03e840216726f7574653a6576742d311600000000070a68656c6c6f0622782d63786f6e652d7265706c61792d6f6610646c712f302f31370a6d756c746902610a6d756c7469046262',
    );
  });

  it('an encoder that grows past its first buffer keeps every byte it wrote', () => {
    const encoder = new Encoder();
    const parts = [];
    for (let i = 0; i < 200; i++) {
      const bytes = Buffer.alloc(i, i);
      encoder.writeVarInt(i).writeVarIntBytes(bytes);
      parts.push(new Encoder().writeVarInt(i).writeVarIntBytes(bytes).buffer);
    }
    assert.deepEqual(encoder.buffer, Buffer.concat(parts));
  });
});
