/**
 * The pure part of decoding: Avro bytes + the writer type (+ an optional reader
 * resolution) → a value, or a DecodeError with a stable code. No registry, no
 * I/O, so it is tested directly with generated garbage.
 */
import type { Type } from 'avsc';
import { DecodeError } from '../errors.ts';
import { guardedType } from './bounded-collections.ts';

/** A configured reader schema and the resolver from one writer schema to it. */
export interface ReaderResolution {
  reader: Type;
  resolver: unknown;
}

export function decodeAvroBody(
  writer: Type,
  body: Buffer,
  resolution?: ReaderResolution,
  schemaId = -1,
): unknown {
  let value: unknown;
  try {
    value = guardedType(writer).fromBuffer(body);
  } catch (error) {
    throw new DecodeError(
      'DECODE_AVRO',
      `value does not decode with schema id ${schemaId} (truncated or corrupt Avro): ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (hasReplacementChar(value, 0) && !reencodesTo(writer, value, body)) {
    // avsc decodes invalid UTF-8 to U+FFFD silently; a genuine U+FFFD re-encodes to the same bytes, a replaced one does not.
    throw new DecodeError(
      'DECODE_INVALID_UTF8',
      `value written with schema id ${schemaId} has a string field that is not valid UTF-8`,
    );
  }
  if (resolution === undefined) return value;
  try {
    // The writer decode above proved the bytes well-formed, so this second read is safe.
    return resolution.reader.fromBuffer(body, resolution.resolver as never);
  } catch (error) {
    throw new DecodeError(
      'DECODE_AVRO',
      `value with schema id ${schemaId} does not decode with the reader schema: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** The resolver from a writer schema to the reader schema, or DECODE_INCOMPATIBLE_SCHEMA. */
export function resolveReader(reader: Type, writer: Type, schemaId = -1): ReaderResolution {
  try {
    return { reader, resolver: reader.createResolver(writer) };
  } catch (error) {
    throw new DecodeError(
      'DECODE_INCOMPATIBLE_SCHEMA',
      `writer schema id ${schemaId} cannot be read with the configured reader schema ${reader.name ?? ''}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

const MAX_DEPTH = 64;

function reencodesTo(writer: Type, value: unknown, body: Buffer): boolean {
  try {
    return writer.toBuffer(value).equals(body);
  } catch {
    return false;
  }
}

function hasReplacementChar(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return value.includes('\uFFFD');
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH || Buffer.isBuffer(value))
    return false;
  if (Array.isArray(value)) return value.some((item) => hasReplacementChar(item, depth + 1));
  // for…in, not Object.entries: no array of pairs per decoded object on every record.
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (key.includes('\uFFFD') || hasReplacementChar((value as Record<string, unknown>)[key], depth + 1))
      return true;
  }
  return false;
}
