/**
 * Regenerates helm/cxone-connector/values.schema.json (its config from the zod schema):
 * `npm run chart:schema`. With `--check`, changes nothing and exits 1 if the file is stale.
 */
import { isDeepStrictEqual } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { chartValuesSchema } from './lib/chart-schema.ts';

const path = new URL('../helm/cxone-connector/values.schema.json', import.meta.url);
const current = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const generated = chartValuesSchema(current);
if (process.argv.includes('--check')) {
  if (!isDeepStrictEqual(current, generated)) {
    process.stderr.write('values.schema.json is stale: run npm run chart:schema\n');
    process.exitCode = 1;
  }
} else {
  writeFileSync(path, `${JSON.stringify(generated, null, 2)}\n`);
  process.stdout.write('helm/cxone-connector/values.schema.json updated\n');
}
