/**
 * Decodes Confluent-wire-format Avro through the schema registry. Writer types
 * are cached per schema id after the first fetch, and reader resolvers per
 * (topic, schema id), so the hot path is map lookups and one avsc decode. Each
 * way a value can be bad has its own code; the Avro step itself is the pure
 * `decodeAvroBody`.
 */
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Type } from 'avsc';
import { DecodeError } from '../errors.ts';
import { decodeAvroBody, resolveReader, type ReaderResolution } from './avro-body.ts';
import { HEADER_BYTES, MAGIC_BYTE } from './wire-format.ts';

export interface DecodedEvent {
  schemaId: number;
  value: unknown;
}

export interface EventDecoder {
  /** `topic` selects the topic's reader schema, when one is configured. */
  decode(bytes: Buffer | null, topic?: string): Promise<DecodedEvent>;
}

export interface EventDecoderOptions {
  /** Reader types by input topic (`decode.readerSchemas`, see loadReaderSchemas). */
  readerTypes?: ReadonlyMap<string, Type>;
  /** Larger values are refused before decoding (DECODE_TOO_LARGE). */
  maxValueBytes?: number;
}

export function createEventDecoder(
  registry: Pick<SchemaRegistry, 'getSchema'>,
  options: EventDecoderOptions = {},
): EventDecoder {
  const types = new Map<number, Type>();
  const pending = new Map<number, Promise<Type>>();
  const resolutions = new Map<string, ReaderResolution | DecodeError>();
  const maxValueBytes = options.maxValueBytes ?? Number.POSITIVE_INFINITY;

  async function writerType(schemaId: number): Promise<Type> {
    let request = pending.get(schemaId);
    if (!request) {
      request = (registry.getSchema(schemaId) as Promise<unknown>).then(
        (schema) => schema as Type,
        (error: unknown) => {
          const status = (error as { status?: number }).status;
          if (status === 404) {
            throw new DecodeError(
              'DECODE_UNKNOWN_SCHEMA',
              `schema id ${schemaId} is not in the schema registry`,
              {
                cause: error,
              },
            );
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

  /** Incompatibility is a property of the two schemas, so it is cached like a success. */
  function resolution(
    topic: string | undefined,
    schemaId: number,
    writer: Type,
  ): ReaderResolution | undefined {
    const reader = topic === undefined ? undefined : options.readerTypes?.get(topic);
    if (reader === undefined) return undefined;
    const key = `${topic}\u0000${schemaId}`;
    let cached = resolutions.get(key);
    if (cached === undefined) {
      try {
        cached = resolveReader(reader, writer, schemaId);
      } catch (error) {
        cached = error as DecodeError;
      }
      resolutions.set(key, cached);
    }
    if (cached instanceof DecodeError) throw cached;
    return cached;
  }

  return {
    async decode(bytes, topic) {
      if (bytes === null)
        throw new DecodeError('DECODE_TOMBSTONE', 'record has a null value (tombstone); nothing to map');
      if (bytes.length > maxValueBytes) {
        throw new DecodeError(
          'DECODE_TOO_LARGE',
          `value is ${bytes.length} bytes, over the ${maxValueBytes}-byte limit (decode.maxValueBytes)`,
        );
      }
      if (bytes.length < HEADER_BYTES || bytes[0] !== MAGIC_BYTE) {
        throw new DecodeError(
          'DECODE_MAGIC_BYTE',
          `value is not Confluent-wire-format Avro (first byte ${bytes[0] ?? 'none'}, length ${bytes.length}); the producer must use a schema-registry serializer`,
        );
      }
      const schemaId = bytes.readInt32BE(1);
      const writer = types.get(schemaId) ?? (await writerType(schemaId));
      const body = bytes.subarray(HEADER_BYTES);
      return { schemaId, value: decodeAvroBody(writer, body, resolution(topic, schemaId, writer), schemaId) };
    },
  };
}
