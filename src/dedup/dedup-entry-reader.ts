/**
 * Reads the dedup topic's values (Confluent wire format, cxone-dedup-entry) on
 * a restore's hot path, where every record of a partition's history passes:
 * synchronously once the writer schema of an id is known, so a batch is read
 * without a promise per record. The input decoder's checks on what publishers
 * send (size bound, invalid UTF-8) are left out for these values, which this
 * connector wrote itself; a corrupt one still fails as a DecodeError.
 */
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Type } from 'avsc';
import { DecodeError } from '../errors.ts';
import { guardedType } from '../decode/bounded-collections.ts';
import { HEADER_BYTES, MAGIC_BYTE } from '../decode/wire-format.ts';

/** The fields of a dedup entry a restore needs. */
export interface DedupEntryFields {
  createdAt: number;
  outcome: string;
  /** Absent in entries written before v2 of the schema. */
  attempt?: number;
  sourceTopic: string;
}

export interface DedupEntryReader {
  /** The entry, or undefined when its writer schema is not known yet (then `learn` reads it). */
  read(value: Buffer): DedupEntryFields | undefined;
  /** Fetches the writer schema of `value` from the registry, keeps it, and reads the entry. */
  learn(value: Buffer): Promise<DedupEntryFields>;
}

export function createDedupEntryReader(registry: Pick<SchemaRegistry, 'getSchema'>): DedupEntryReader {
  const types = new Map<number, Type>();

  function schemaIdOf(value: Buffer): number {
    if (value.length < HEADER_BYTES || value[0] !== MAGIC_BYTE) {
      throw new DecodeError('DECODE_MAGIC_BYTE', 'a dedup topic value is not in the Confluent wire format');
    }
    return value.readInt32BE(1);
  }

  function decode(type: Type, schemaId: number, value: Buffer): DedupEntryFields {
    let decoded: { value: DedupEntryFields; offset: number };
    try {
      decoded = type.decode(value, HEADER_BYTES);
    } catch (error) {
      throw new DecodeError(
        'DECODE_AVRO',
        `a dedup topic value does not decode with schema id ${schemaId}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (decoded.offset !== value.length) {
      throw new DecodeError(
        'DECODE_AVRO',
        `a dedup topic value does not decode with schema id ${schemaId} (truncated or corrupt Avro)`,
      );
    }
    return decoded.value;
  }

  return {
    read(value) {
      const schemaId = schemaIdOf(value);
      const type = types.get(schemaId);
      return type ? decode(type, schemaId, value) : undefined;
    },
    async learn(value) {
      const schemaId = schemaIdOf(value);
      let type = types.get(schemaId);
      if (!type) {
        try {
          type = guardedType((await registry.getSchema(schemaId)) as unknown as Type);
        } catch (error) {
          const status = (error as { status?: number }).status;
          throw new DecodeError(
            status === 404 ? 'DECODE_UNKNOWN_SCHEMA' : 'REGISTRY_UNAVAILABLE',
            status === 404
              ? `schema id ${schemaId} of a dedup topic value is not in the schema registry`
              : `schema registry did not answer for schema id ${schemaId}: ${(error as Error).message}`,
            { cause: error },
          );
        }
        types.set(schemaId, type);
      }
      return decode(type, schemaId, value);
    },
  };
}
