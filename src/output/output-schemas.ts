/**
 * The Avro schemas the connector writes, loaded from `schemas/` and registered
 * at start under the configured subject naming strategy (TopicNameStrategy,
 * `<topic>-value`, by default). Records are then
 * encoded locally with the registered id: no registry round trip per record.
 */
import { readFileSync } from 'node:fs';
import { SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { KafkaOutputError } from '../errors.ts';
import { toWireFormat } from '../decode/wire-format.ts';

const SCHEMAS_DIR = new URL('../../schemas/', import.meta.url);

/** How the subjects of the output schemas are named in the registry (`output.subjectNameStrategy`). */
export const SUBJECT_NAME_STRATEGIES = [
  'TopicNameStrategy',
  'RecordNameStrategy',
  'TopicRecordNameStrategy',
] as const;
export type SubjectNameStrategy = (typeof SUBJECT_NAME_STRATEGIES)[number];

export type OutputSchemaName = 'cxone-result' | 'cxone-audit' | 'cxone-dedup-entry';

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
  strategy: SubjectNameStrategy = 'TopicNameStrategy',
): Promise<OutputEncoder<T>> {
  const text = readSchemaFile(name);
  const type = avro.Type.forSchema(JSON.parse(text) as avro.Schema);
  const subject = subjectName(strategy, topic, type);
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

/**
 * Confluent's subject naming strategies: per topic (one schema per topic), per
 * record name (one schema shared by every topic), or both.
 */
export function subjectName(strategy: SubjectNameStrategy, topic: string, type: avro.Type): string {
  const recordName = type.name ?? 'unnamed';
  switch (strategy) {
    case 'TopicNameStrategy':
      return `${topic}-value`;
    case 'RecordNameStrategy':
      return recordName;
    case 'TopicRecordNameStrategy':
      return `${topic}-${recordName}`;
  }
}
