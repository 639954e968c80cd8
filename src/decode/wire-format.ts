/**
 * Confluent wire format: magic byte 0, a 4-byte big-endian schema id, then the
 * Avro binary body. https://docs.confluent.io/platform/current/schema-registry/fundamentals/serdes-develop/index.html#wire-format
 */
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
