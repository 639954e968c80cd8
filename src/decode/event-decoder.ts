/**
 * Decodes Confluent-wire-format Avro through the schema registry. Writer types
 * are cached per schema id after the first fetch, so the hot path is one map
 * lookup and one avsc decode. Each way a value can be bad has its own code.
 */
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Type } from 'avsc';
import { DecodeError } from '../errors.ts';
import { HEADER_BYTES, MAGIC_BYTE } from './wire-format.ts';

export interface DecodedEvent {
  schemaId: number;
  value: unknown;
}

export interface EventDecoder {
  decode(bytes: Buffer | null): Promise<DecodedEvent>;
}

export function createEventDecoder(registry: Pick<SchemaRegistry, 'getSchema'>): EventDecoder {
  const types = new Map<number, Type>();
  const pending = new Map<number, Promise<Type>>();

  async function writerType(schemaId: number): Promise<Type> {
    let request = pending.get(schemaId);
    if (!request) {
      request = (registry.getSchema(schemaId) as Promise<unknown>).then(
        (schema) => schema as Type,
        (error: unknown) => {
          const status = (error as { status?: number }).status;
          if (status === 404) {
            throw new DecodeError('DECODE_UNKNOWN_SCHEMA', `schema id ${schemaId} is not in the schema registry`, {
              cause: error,
            });
          }
          throw new DecodeError(
            'REGISTRY_UNAVAILABLE',
            `schema registry did not answer for schema id ${schemaId}: ${(error as Error).message}`,
            { cause: error },
          );
        },
      );
      pending.set(schemaId, request);
      // A failed fetch must not be cached: the registry may be back on the next record.
      request.then(
        (type) => types.set(schemaId, type),
        () => pending.delete(schemaId),
      );
    }
    return request;
  }

  return {
    async decode(bytes) {
      if (bytes === null) throw new DecodeError('DECODE_TOMBSTONE', 'record has a null value (tombstone); nothing to map');
      if (bytes.length < HEADER_BYTES || bytes[0] !== MAGIC_BYTE) {
        throw new DecodeError(
          'DECODE_MAGIC_BYTE',
          `value is not Confluent-wire-format Avro (first byte ${bytes[0] ?? 'none'}, length ${bytes.length}); the producer must use a schema-registry serializer`,
        );
      }
      const schemaId = bytes.readInt32BE(1);
      const type = types.get(schemaId) ?? (await writerType(schemaId));
      try {
        return { schemaId, value: type.fromBuffer(bytes.subarray(HEADER_BYTES)) };
      } catch (error) {
        throw new DecodeError(
          'DECODE_AVRO',
          `value does not decode with schema id ${schemaId} (truncated or corrupt Avro): ${(error as Error).message}`,
          { cause: error },
        );
      }
    },
  };
}
