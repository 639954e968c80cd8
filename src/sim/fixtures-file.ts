// Loads a fixtures file. YAML is a superset of JSON, so one parser reads both formats.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { fixturesSchema } from './fixtures-schema.ts';
import type { Fixtures } from './fixtures-schema.ts';
import { SimOptionsError } from './options.ts';

export function parseFixtures(text: string, source: string): Fixtures {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (cause) {
    throw new SimOptionsError([`fixtures (${source}): not valid YAML/JSON: ${(cause as Error).message}`]);
  }
  const parsed = fixturesSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new SimOptionsError(
      parsed.error.issues.map((i) => `fixtures (${source}) ${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  return parsed.data;
}

export async function loadFixturesFile(path: string): Promise<Fixtures> {
  return parseFixtures(await readFile(path, 'utf8'), path);
}
