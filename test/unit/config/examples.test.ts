import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { loadConfigFile } from '../../../src/config/load-config.ts';
import { routesOf } from '../../../devkit/config-fixtures.ts';

const dir = new URL('../../../examples/', import.meta.url);
const files = readdirSync(dir).filter((name) => name.endsWith('.yaml'));

/** Every `${env:NAME}` an example refers to, set to a dummy value long enough for any minimum. */
function dummyEnv(text: string): Record<string, string> {
  return Object.fromEntries(
    [...text.matchAll(/\$\{env:([^}]+)\}/g)].map((m) => [m[1]!, 'dummy-secret-value-0123456789abcdef']),
  );
}

describe('examples/*.yaml', () => {
  it('covers the common cases', () => {
    for (const name of ['journey-trigger', 'data-action', 'multi-route', 'pii-hashing'])
      assert.ok(files.includes(`${name}.yaml`), `${name}.yaml is missing`);
  });
  for (const name of files) {
    it(`${name} validates and its routes compile`, () => {
      const path = new URL(name, dir).pathname;
      const config = loadConfigFile(path, dummyEnv(readFileSync(path, 'utf8')));
      assert.ok(routesOf(config).routes.length > 0);
    });
  }
});
