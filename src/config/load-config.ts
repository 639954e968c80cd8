/**
 * Loads the configuration once, at the edge: YAML file → environment overrides
 * → secret references resolved → one schema validation that reports every
 * problem with its path. Nothing here connects anywhere.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { configSchema, type ConnectorConfig } from './schema.ts';

/** `CXONE_CONNECTOR__KAFKA__BROKERS='[a:9092,b:9092]'` overrides `kafka.brokers`. */
const ENV_PREFIX = 'CXONE_CONNECTOR__';

const SECRET_REF = /^\$\{(env|file):([^}]+)\}$/;

export type Env = Readonly<Record<string, string | undefined>>;

/** A validated config, and which settings came from `${file:}` secrets (dotted path → file). */
export interface LoadedConfig {
  config: ConnectorConfig;
  secretFiles: Readonly<Record<string, string>>;
}

export function loadConfigFile(path: string, env: Env): ConnectorConfig {
  return loadConfig(path, env).config;
}

/** The config file with its secret sources, so a mounted secret can be read again when it is refused. */
export function loadConfig(path: string, env: Env): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`cannot read config file ${path}: ${(error as Error).message}`], { cause: error });
  }
  return loadConfigTextWithSecrets(text, env, path);
}

export function loadConfigText(text: string, env: Env, source = '<config>'): ConnectorConfig {
  return loadConfigTextWithSecrets(text, env, source).config;
}

function loadConfigTextWithSecrets(text: string, env: Env, source: string): LoadedConfig {
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new ConfigError(document.errors.map((e) => `${source}: YAML ${e.message}`));
  }
  const raw: unknown = document.toJS() ?? {};
  if (!isRecord(raw)) throw new ConfigError([`${source}: the top level must be a mapping`]);
  applyEnvOverrides(raw, env);
  const problems: string[] = [];
  const secretFiles: Record<string, string> = {};
  const resolved = resolveSecretRefs(raw, env, [], problems, secretFiles);
  if (problems.length > 0) throw new ConfigError(problems);
  return { config: validateConfig(resolved), secretFiles };
}

export function validateConfig(raw: unknown): ConnectorConfig {
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(result.error.issues.map(formatIssue));
  return result.data;
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  const hint = hintFor(issue);
  return `${path}: ${issue.message}${hint ? ` (hint: ${hint})` : ''}`;
}

function hintFor(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code === 'unrecognized_keys') {
    if (issue.keys.includes('fromBeginning'))
      return 'kafka.fromBeginning is replaced by kafka.startFrom: earliest | latest | <ISO-8601 time>';
    return 'check the spelling against README "Configuration"';
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    const last = String(issue.path.at(-1) ?? '');
    if (/secret|password/i.test(last))
      return `set it as "\${env:NAME}" or "\${file:/path}" so it stays out of the file`;
    return `required; or set ${ENV_PREFIX}${issue.path.map((p) => toEnvSegment(String(p))).join('__')}`;
  }
  return undefined;
}

function applyEnvOverrides(raw: Record<string, unknown>, env: Env): void {
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    const path = name.slice(ENV_PREFIX.length).split('__').map(fromEnvSegment);
    let node: Record<string, unknown> = raw;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (!isRecord(next)) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    // YAML scalar parsing gives numbers, booleans and `[a, b]` lists their types.
    node[path.at(-1) as string] = parseYaml(value) as unknown;
  }
}

function resolveSecretRefs(
  value: unknown,
  env: Env,
  path: string[],
  problems: string[],
  secretFiles: Record<string, string>,
): unknown {
  if (typeof value === 'string') {
    const match = SECRET_REF.exec(value);
    if (!match) return value;
    const [, kind, ref] = match as unknown as [string, 'env' | 'file', string];
    if (kind === 'env') {
      const found = env[ref];
      if (found === undefined || found === '')
        problems.push(`${path.join('.')}: environment variable ${ref} is not set`);
      return found;
    }
    secretFiles[path.join('.')] = ref;
    try {
      return readFileSync(ref, 'utf8').trim();
    } catch (error) {
      problems.push(`${path.join('.')}: cannot read secret file ${ref}: ${(error as Error).message}`);
      return undefined;
    }
  }
  if (Array.isArray(value))
    return value.map((item, i) => resolveSecretRefs(item, env, [...path, String(i)], problems, secretFiles));
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        resolveSecretRefs(v, env, [...path, k], problems, secretFiles),
      ]),
    );
  }
  return value;
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
