/**
 * Loads the configuration once, at the edge: YAML file → environment overrides
 * → secret references resolved → one validation that reports every problem
 * with its path: the schema's, and those only compiling or reading shows
 * (resource-checks.ts). Nothing here connects anywhere.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { applyEnvOverrides, envNameFor, type Env, type EnvSource } from './env-overrides.ts';
import { resourceProblems } from './resource-checks.ts';
import { configSchema, type ConnectorConfig } from './schema.ts';

const SECRET_REF = /^\$\{(env|file):([^}]+)\}$/;

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
  const document = parseDocument(text, { prettyErrors: false });
  if (document.errors.length > 0) {
    // Position and reason only: the yaml library's message quotes the line, which may hold a secret.
    throw new ConfigError(
      document.errors.map((e) => {
        const before = text.slice(0, e.pos[0]);
        const line = before.split('\n').length;
        const col = e.pos[0] - before.lastIndexOf('\n');
        return `${source}:${line}:${col}: YAML ${e.code}: ${e.message.split('\n')[0] ?? ''}`;
      }),
    );
  }
  const raw: unknown = document.toJS() ?? {};
  if (!isRecord(raw)) throw new ConfigError([`${source}: the top level must be a mapping`]);
  const fromEnv = applyEnvOverrides(raw, env, configSchema);
  const problems: string[] = [];
  const secretFiles: Record<string, string> = {};
  const resolved = resolveSecretRefs(raw, env, [], problems, secretFiles);
  if (problems.length > 0) throw new ConfigError(problems);
  return { config: validateConfig(resolved, fromEnv), secretFiles };
}

/** `fromEnv`: dotted path → the environment variable that set it, so a problem names the variable. */
export function validateConfig(
  raw: unknown,
  fromEnv: ReadonlyMap<string, EnvSource> = new Map(),
): ConnectorConfig {
  const result = configSchema.safeParse(raw);
  // Both kinds at once: a file with a bad shape and a bad expression is fixed in one go.
  const problems = [
    ...(result.success ? [] : result.error.issues),
    ...resourceProblems(raw).map((p): z.core.$ZodIssue => ({ code: 'custom', input: undefined, ...p })),
  ].map((issue) => formatIssue(issue, fromEnv));
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  return result.data;
}

function formatIssue(issue: z.core.$ZodIssue, fromEnv: ReadonlyMap<string, EnvSource>): string {
  const source = envSourceOf(issue.path, fromEnv);
  if (source) {
    // Named by the setting the variable sets: keys below it, and the message, may hold its value.
    return `${source.path}: ${redact(issue.message, source.strings)} (hint: the value comes from the environment variable ${source.variable}: fix or unset it)`;
  }
  const path = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  const hint = hintFor(issue);
  return `${path}: ${issue.message}${hint ? ` (hint: ${hint})` : ''}`;
}

function envSourceOf(
  path: readonly PropertyKey[],
  fromEnv: ReadonlyMap<string, EnvSource>,
): (EnvSource & { path: string }) | undefined {
  for (let n = path.length; n > 0; n--) {
    const at = path.slice(0, n).map(String).join('.');
    const source = fromEnv.get(at);
    if (source) return { ...source, path: at };
  }
  return undefined;
}

function redact(message: string, strings: readonly string[]): string {
  let text = message;
  for (const s of [...strings].sort((a, b) => b.length - a.length)) {
    if (s.trim().length >= 3) text = text.split(s).join('***');
  }
  return text;
}

function hintFor(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code === 'unrecognized_keys') {
    if (issue.keys.includes('fromBeginning'))
      return 'kafka.fromBeginning is replaced by kafka.startFrom: earliest | latest | <ISO-8601 time>';
    return 'check the spelling against docs/configuration.md "Configuration"';
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    const last = String(issue.path.at(-1) ?? '');
    if (/secret|password/i.test(last))
      return `set it as "\${env:NAME}" or "\${file:/path}" so it stays out of the file`;
    return `required; or set ${envNameFor(issue.path.map(String))}`;
  }
  return undefined;
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
