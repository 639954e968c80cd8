/**
 * The Avro schemas the connector writes, loaded from `schemas/` and registered
 * at start under the configured subject naming strategy (TopicNameStrategy,
 * `<topic>-value`, by default). Records are then
 * encoded locally with the registered id: no registry round trip per record.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { SchemaType, type COMPATIBILITY, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { KafkaOutputError } from '../errors.ts';
import { createWireEncoder } from '../decode/wire-format.ts';
import { registryCall, type RegistryEndpoint } from './registry-client.ts';
import { SAFE_LEVELS, setSubjectCompatibility, subjectCompatibility } from './subject-compatibility.ts';

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

/** Where output schemas are registered: the client, and the registry's HTTP API for subject config. */
export interface SchemaTarget {
  registry: Pick<SchemaRegistry, 'register'>;
  endpoint: RegistryEndpoint;
  /** false (registry.autoRegister): use the schema already registered under the subject, never register. */
  autoRegister?: boolean;
  /** Told when a subject's level is weaker than BACKWARD (readers are not protected). */
  warn?: (message: string) => void;
}

const REGISTER_ATTEMPTS = 6;

/**
 * The schema without its last fields `names` (in that order): the encoding of everything before
 * them, to which the committer appends theirs (the audit chain's fields, known only at commit).
 */
export function withoutLast(text: string, names: readonly string[]): avro.Type {
  const schema = JSON.parse(text) as avro.schema.RecordType;
  const last = schema.fields.slice(-names.length).map((f) => f.name);
  if (last.join() !== names.join())
    throw new Error(`the schema's last fields are ${last.join(', ')}, not ${names.join(', ')}`);
  return avro.Type.forSchema({ ...schema, fields: schema.fields.slice(0, -names.length) });
}

/**
 * Registers an output schema under the subject's own compatibility level (a
 * stricter one than BACKWARD is kept; a weaker one is used with a warning),
 * and sets BACKWARD on a subject that has no level of its own and inherits a
 * weaker one. Replicas starting at the same moment race here (Apicurio
 * answers "already exists" to the loser of a first registration), so the
 * whole step is retried with a jittered backoff: it is idempotent.
 */
export async function registerOutputSchema<T>(
  target: SchemaTarget,
  name: OutputSchemaName,
  topic: string,
  strategy: SubjectNameStrategy = 'TopicNameStrategy',
  sealedLater: readonly string[] = [],
): Promise<OutputEncoder<T>> {
  const text = readSchemaFile(name);
  const type = avro.Type.forSchema(JSON.parse(text) as avro.Schema);
  const subject = subjectName(strategy, topic, type);
  let schemaId: number | undefined;
  if (target.autoRegister === false)
    schemaId = await registeredSchemaId(target.endpoint, name, subject, text);
  for (let attempt = 1; schemaId === undefined; attempt++) {
    try {
      const { level, ownLevel } = await subjectCompatibility(target.endpoint, subject);
      if (!SAFE_LEVELS.has(level) && ownLevel) {
        target.warn?.(
          `subject ${subject} has compatibility ${level}: readers of ${topic} are not protected from an incompatible change; BACKWARD or stricter is recommended`,
        );
      }
      ({ id: schemaId } = await target.registry.register(
        { type: SchemaType.AVRO, schema: text },
        { subject, compatibility: level as COMPATIBILITY, updateConfig: false },
      ));
      if (!ownLevel && !SAFE_LEVELS.has(level))
        await setSubjectCompatibility(target.endpoint, subject, 'BACKWARD');
    } catch (error) {
      if (attempt >= REGISTER_ATTEMPTS) {
        throw new KafkaOutputError(
          'OUTPUT_ENCODE_FAILED',
          `cannot register schema ${name} under subject ${subject} at registry.url: ${(error as Error).message}; check that the registry is reachable and that the subject's existing versions are compatible with schemas/${name}.avsc`,
          { cause: error, retryable: true },
        );
      }
      await sleep(Math.random() * 100 * 2 ** attempt);
    }
  }
  const toWire = createWireEncoder<T>(
    sealedLater.length > 0 ? withoutLast(text, sealedLater) : type,
    schemaId,
  );
  return {
    schemaId,
    encode(record) {
      try {
        return toWire(record);
      } catch (error) {
        throw new KafkaOutputError('OUTPUT_ENCODE_FAILED', `${name} record does not match its schema`, {
          cause: error,
        });
      }
    },
  };
}

/** With autoRegister off: the subject an output schema goes under, and its id there (throws what is wrong). */
export async function findRegisteredSchema(
  endpoint: RegistryEndpoint,
  name: OutputSchemaName,
  topic: string,
  strategy: SubjectNameStrategy,
): Promise<{ subject: string; id: number }> {
  const text = readSchemaFile(name);
  const subject = subjectName(strategy, topic, avro.Type.forSchema(JSON.parse(text) as avro.Schema));
  return { subject, id: await registeredSchemaId(endpoint, name, subject, text) };
}

/**
 * The id under which `subject` already holds exactly this schema (Confluent API:
 * POST /subjects/{subject}); a missing subject or schema fails clearly, naming
 * what to register, and says whether the registered versions are compatible.
 */
async function registeredSchemaId(
  endpoint: RegistryEndpoint,
  name: OutputSchemaName,
  subject: string,
  text: string,
): Promise<number> {
  const path = `/subjects/${encodeURIComponent(subject)}`;
  const found = await registryCall(endpoint, 'POST', path, { schema: text }).catch((error: unknown) => {
    throw new KafkaOutputError(
      'OUTPUT_ENCODE_FAILED',
      `cannot look up schema ${name} under subject ${subject} at registry.url: ${(error as Error).message}`,
      { cause: error, retryable: true },
    );
  });
  const { id } = (found.body ?? {}) as { id?: unknown };
  if (found.status === 200 && typeof id === 'number') return id;
  const fix = `register schemas/${name}.avsc under it (or set registry.autoRegister: true)`;
  if (found.status === 401 || found.status === 403) {
    throw new KafkaOutputError(
      'OUTPUT_ENCODE_FAILED',
      `the registry refused to read subject ${subject} (HTTP ${found.status}): check registry.username/password or registry.bearerToken`,
    );
  }
  const code = (found.body as { error_code?: unknown } | undefined)?.error_code;
  if (code === 40401) {
    throw new KafkaOutputError(
      'OUTPUT_ENCODE_FAILED',
      `registry.autoRegister is false and subject ${subject} does not exist: ${fix}`,
    );
  }
  const check = await registryCall(endpoint, 'POST', `/compatibility${path}/versions/latest`, {
    schema: text,
  }).catch(() => undefined);
  const compatible = (check?.body as { is_compatible?: unknown } | undefined)?.is_compatible;
  throw new KafkaOutputError(
    'OUTPUT_ENCODE_FAILED',
    `registry.autoRegister is false and subject ${subject} does not hold the connector's schema ${name}${compatible === false ? ', and its latest version is incompatible with it' : ''} (HTTP ${found.status}): ${fix}`,
  );
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
