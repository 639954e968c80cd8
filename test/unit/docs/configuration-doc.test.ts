/**
 * docs/configuration.md against the config schema: every setting the schema
 * accepts has a row in the reference tables, so a new setting cannot land
 * undocumented. A row's first cell names settings in backticks, a full path
 * first and its siblings after it by their last name (`kafka.ssl.ca` / `cert`),
 * or a whole section as `registry.ssl.*`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { configSchema } from '../../../src/config/schema.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every leaf setting's path (`routes[].fields.eventId`), from the schema as a user writes it. */
function settings(schema: unknown, path = '', into: Set<string> = new Set()): Set<string> {
  if (!isObject(schema)) return into;
  const branches = [schema.anyOf, schema.oneOf, schema.allOf].find(Array.isArray) as unknown[] | undefined;
  if (branches && !schema.properties) {
    for (const branch of branches) settings(branch, path, into);
  } else if (isObject(schema.properties)) {
    for (const [key, value] of Object.entries(schema.properties))
      settings(value, path ? `${path}.${key}` : key, into);
  } else if (
    schema.type === 'array' &&
    isObject(schema.items) &&
    (schema.items.properties || schema.items.anyOf)
  ) {
    settings(schema.items, `${path}[]`, into);
  } else {
    into.add(path);
  }
  return into;
}

/** The settings the tables' first cells name. */
function documented(doc: string): string[] {
  const names: string[] = [];
  for (const row of doc.split('\n').filter((line) => line.startsWith('|'))) {
    let prefix = '';
    for (const [, token] of (row.split('|')[1] ?? '').matchAll(/`([^`]+)`/g)) {
      if (token!.includes('.')) {
        names.push(token!.replace(/\.\*$/, ''));
        prefix = token!.slice(0, token!.lastIndexOf('.') + 1);
      } else names.push(prefix + token!);
    }
  }
  return names;
}

describe('docs/configuration.md', () => {
  it('has a row for every setting the config schema accepts', () => {
    const all = settings(z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }));
    const rows = documented(readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8'));
    const covered = (path: string) =>
      rows.some((name) => name === path || path.startsWith(`${name}.`) || path.startsWith(`${name}[]`));
    const missing = [...all].filter((path) => !covered(path));
    assert.ok(all.size > 100, `the schema's settings were found (${all.size})`);
    assert.deepEqual(missing, [], 'settings without a row in docs/configuration.md');
  });
});
