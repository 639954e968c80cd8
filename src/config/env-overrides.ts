/**
 * Environment overrides: `CXONE_CONNECTOR__KAFKA__BROKERS='[a:9092,b:9092]'`
 * sets `kafka.brokers`. A value is taken as the type the schema expects at
 * its path: a string stays the exact string (a secret like `[Sup3r#x` is
 * never parsed, so it can neither crash the parse nor lose what follows a
 * `#`); a number is read as a decimal (`00123` is 123); a boolean is
 * true/false; only a list or an object is parsed (as a YAML flow value).
 * What cannot be read as the expected type is passed on as the string, so
 * validation reports it with the variable's name, never with its value.
 */
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';

/** `CXONE_CONNECTOR__KAFKA__BROKERS='[a:9092,b:9092]'` overrides `kafka.brokers`. */
const ENV_PREFIX = 'CXONE_CONNECTOR__';

export type Env = Readonly<Record<string, string | undefined>>;

type Kind = 'string' | 'number' | 'boolean' | 'list' | 'object' | 'unknown';

/** Which variable set a setting, and the strings its value holds (never to be printed). */
export interface EnvSource {
  variable: string;
  strings: readonly string[];
}

/** Applies every override to `raw` in place; returns, by dotted path, where each came from. */
export function applyEnvOverrides(
  raw: Record<string, unknown>,
  env: Env,
  schema: z.ZodType,
): Map<string, EnvSource> {
  const sources = new Map<string, EnvSource>();
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    const path = name.slice(ENV_PREFIX.length).split('__').map(fromEnvSegment);
    let node: Record<string, unknown> = raw;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (!isRecord(next)) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    const parsed = typed(value, kindAt(schema, path));
    node[path.at(-1) as string] = parsed;
    sources.set(path.join('.'), { variable: name, strings: [value, ...stringsIn(parsed)] });
  }
  return sources;
}

/** The variable that sets `path`, for a hint that names the setting as the user wrote it. */
export function envNameFor(path: readonly (string | number)[]): string {
  return `${ENV_PREFIX}${path.map((p) => toEnvSegment(String(p))).join('__')}`;
}

/** Every string a parsed value holds, keys included: any of them may be part of a secret. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (isRecord(value)) return Object.entries(value).flatMap(([k, v]) => [k, ...stringsIn(v)]);
  return typeof value === 'number' || typeof value === 'boolean' ? [String(value)] : [];
}

function typed(value: string, kind: Kind): unknown {
  switch (kind) {
    case 'string':
      return value;
    case 'number':
      return /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
    case 'boolean':
      return /^(true|false)$/i.test(value.trim()) ? value.trim().toLowerCase() === 'true' : value;
    case 'list':
    case 'object':
    case 'unknown':
      try {
        return parseYaml(value) as unknown;
      } catch {
        // Not YAML either: validation says the type is wrong, naming the variable.
        return value;
      }
  }
}

/** What the schema expects at `path`, looking through defaults, optionals and pipes. */
function kindAt(schema: z.ZodType, path: readonly string[]): Kind {
  let node: unknown = schema;
  for (const key of path) {
    node = unwrap(node);
    const def = defOf(node);
    if (def?.type === 'object') node = (def.shape as Record<string, unknown>)[key];
    else if (def?.type === 'record') node = def.valueType;
    else return 'unknown';
    if (node === undefined) return 'unknown';
  }
  return kindOf(unwrap(node));
}

function kindOf(node: unknown): Kind {
  const def = defOf(node);
  switch (def?.type) {
    case 'string':
    case 'enum':
    case 'literal':
      return 'string';
    case 'number':
    case 'int':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return 'list';
    case 'object':
    case 'record':
      return 'object';
    case 'union': {
      const kinds = new Set((def.options as unknown[]).map((option) => kindOf(unwrap(option))));
      return kinds.size === 1 ? ([...kinds][0] as Kind) : 'unknown';
    }
    default:
      return 'unknown';
  }
}

const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch']);

function unwrap(node: unknown): unknown {
  let current = node;
  for (let def = defOf(current); def; def = defOf(current)) {
    if (WRAPPERS.has(def.type as string)) current = def.innerType;
    else if (def.type === 'pipe') current = def.in;
    else break;
  }
  return current;
}

function defOf(node: unknown): Record<string, unknown> | undefined {
  return (node as { _zod?: { def?: Record<string, unknown> } } | undefined)?._zod?.def;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fromEnvSegment(segment: string): string {
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function toEnvSegment(key: string): string {
  return key.replace(/([A-Z])/g, '_$1').toUpperCase();
}
