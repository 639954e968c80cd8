/**
 * The checks of a config that compile code or read files: its JSONata
 * expressions, its reader schema files, its audit signing key. They are kept
 * out of the zod schema (schema.ts), which stays a pure description of the
 * file's shape: the chart's values.schema.json is generated from it, and
 * parsing it touches no disk. validateConfig runs these beside the schema, on
 * the same raw values, so a file with problems of both kinds hears of all of
 * them at once, each under the path the schema would give it.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readerSchemaProblem } from '../decode/reader-schema.ts';
import { expressionProblem } from '../mapping/route-expression.ts';

export interface ResourceProblem {
  path: (string | number)[];
  message: string;
}

/** A route's settings that hold a JSONata expression, besides those under `fields`. */
const ROUTE_EXPRESSIONS = ['when', 'idempotencyKey', 'inputs', 'context'] as const;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The key in `pem` when it is an Ed25519 private key; undefined otherwise (never quoted: it is a secret). */
export function ed25519PrivateKey(pem: string): KeyObject | undefined {
  try {
    const key = createPrivateKey(pem);
    return key.asymmetricKeyType === 'ed25519' ? key : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every problem of `raw` (the config as loaded, before the schema) that only compiling or reading
 * shows. A value of the wrong type is left to the schema, which names it.
 */
export function resourceProblems(raw: unknown): ResourceProblem[] {
  if (!isRecord(raw)) return [];
  const problems: ResourceProblem[] = [];
  const expression = (path: (string | number)[], source: unknown): void => {
    if (typeof source !== 'string' || source.length === 0) return;
    const message = expressionProblem(source);
    if (message !== undefined) problems.push({ path, message });
  };
  if (Array.isArray(raw.routes)) {
    raw.routes.forEach((route: unknown, i) => {
      if (!isRecord(route)) return;
      for (const key of ROUTE_EXPRESSIONS) expression(['routes', i, key], route[key]);
      if (isRecord(route.fields)) {
        for (const [key, source] of Object.entries(route.fields))
          expression(['routes', i, 'fields', key], source);
      }
    });
  }
  const readerSchemas = isRecord(raw.decode) ? raw.decode.readerSchemas : undefined;
  if (isRecord(readerSchemas)) {
    for (const [topic, path] of Object.entries(readerSchemas)) {
      if (typeof path !== 'string' || path.length === 0) continue;
      const message = readerSchemaProblem(path);
      if (message !== undefined) problems.push({ path: ['decode', 'readerSchemas', topic], message });
    }
  }
  const signingKey = isRecord(raw.audit) ? raw.audit.signingKey : undefined;
  if (typeof signingKey === 'string' && ed25519PrivateKey(signingKey) === undefined) {
    problems.push({
      path: ['audit', 'signingKey'],
      message:
        'audit.signingKey is not an Ed25519 private key in PEM (make one with: openssl genpkey -algorithm ed25519)',
    });
  }
  return problems;
}
