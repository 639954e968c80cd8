/**
 * Confluent wire format: magic byte 0, a 4-byte big-endian schema id, then the
 * Avro binary body. https://docs.confluent.io/platform/current/schema-registry/fundamentals/serdes-develop/index.html#wire-format
 */
import type { Type } from 'avsc';

export const MAGIC_BYTE = 0;
export const HEADER_BYTES = 5;

function wireHeader(schemaId: number): Buffer {
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeInt32BE(schemaId, 1);
  return header;
}

export function toWireFormat(schemaId: number, body: Buffer): Buffer {
  return Buffer.concat([wireHeader(schemaId), body], HEADER_BYTES + body.length);
}

/**
 * Encodes records of one type and schema id straight into the wire format.
 * avsc's toBuffer zero-fills a fresh buffer per record, and the header was a
 * second buffer joined by a third: here the body is written after a header
 * kept in one scratch buffer, and only the finished message is copied out
 * (from Node's buffer pool, as messages are small).
 */
export function createWireEncoder<T>(type: Type, schemaId: number): (record: T) => Buffer {
  let scratch = Buffer.allocUnsafe(0);
  const header = wireHeader(schemaId);
  const reserve = (bytes: number): void => {
    scratch = Buffer.allocUnsafe(bytes);
    header.copy(scratch, 0);
  };
  reserve(4096);
  return (record) => {
    let end = type.encode(record, scratch, HEADER_BYTES);
    if (end < 0) {
      // avsc answers how far past the end it would have written: grow to that and write again.
      reserve(Math.max(scratch.length * 2, scratch.length - end));
      end = type.encode(record, scratch, HEADER_BYTES);
    }
    return Buffer.from(scratch.subarray(0, end));
  };
}
