/**
 * Reader schemas configured per input topic (`decode.readerSchemas`). Loaded once
 * at start; the decoder resolves every writer schema against the topic's reader,
 * so routes see one stable shape across schema versions.
 */
import { readFileSync } from 'node:fs';
import avro from 'avsc';

export function loadReaderSchema(path: string): avro.Type {
  return avro.Type.forSchema(JSON.parse(readFileSync(path, 'utf8')) as avro.Schema);
}

/** Why a reader schema path is unusable, for config validation; undefined when it loads. */
export function readerSchemaProblem(path: string): string | undefined {
  try {
    loadReaderSchema(path);
    return undefined;
  } catch (error) {
    return `reader schema ${path} is not a readable Avro schema: ${(error as Error).message}`;
  }
}

/** Reader types by input topic, from `decode.readerSchemas` (paths relative to the working directory). */
export function loadReaderSchemas(paths: Readonly<Record<string, string>>): Map<string, avro.Type> {
  return new Map(Object.entries(paths).map(([topic, path]) => [topic, loadReaderSchema(path)]));
}
