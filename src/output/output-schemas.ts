/**
 * The Avro schemas the connector writes, loaded from `schemas/` and registered
 * under TopicNameStrategy subjects (`<topic>-value`) at start. Records are then
 * encoded locally with the registered id: no registry round trip per record.
 */
import { readFileSync } from 'node:fs';
import { SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { KafkaOutputError } from '../errors.ts';
import { toWireFormat } from '../decode/wire-format.ts';

const SCHEMAS_DIR = new URL('../../schemas/', import.meta.url);

export type OutputSchemaName = 'cxone-result' | 'cxone-audit';

export function readSchemaFile(name: string): string {
  return readFileSync(new URL(`${name}.avsc`, SCHEMAS_DIR), 'utf8');
}

export interface OutputEncoder<T> {
  schemaId: number;
  encode(record: T): Buffer;
}

export async function registerOutputSchema<T>(
  registry: Pick<SchemaRegistry, 'register'>,
  name: OutputSchemaName,
  topic: string,
): Promise<OutputEncoder<T>> {
  const text = readSchemaFile(name);
  const type = avro.Type.forSchema(JSON.parse(text) as avro.Schema);
  const subject = `${topic}-value`;
  let schemaId: number;
  try {
    ({ id: schemaId } = await registry.register({ type: SchemaType.AVRO, schema: text }, { subject }));
  } catch (error) {
    throw new KafkaOutputError(
      'OUTPUT_ENCODE_FAILED',
      `cannot register schema ${name} under subject ${subject}: ${(error as Error).message}`,
      { cause: error, retryable: true },
    );
  }
  return {
    schemaId,
    encode(record) {
      try {
        return toWireFormat(schemaId, type.toBuffer(record));
      } catch (error) {
        throw new KafkaOutputError('OUTPUT_ENCODE_FAILED', `${name} record does not match its schema`, {
          cause: error,
        });
      }
    },
  };
}
