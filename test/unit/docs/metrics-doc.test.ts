import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { README, metricsTable, readmeTable } from '../../../scripts/metrics-doc.ts';

/** Cells of each row, as prettier may pad them; the separator row dropped. */
function rows(table: string): string[][] {
  return table
    .split('\n')
    .map((line) =>
      line
        .trim()
        .replace(/^\||\|$/g, '')
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    )
    .filter((cells) => !cells.every((cell) => /^-+$/.test(cell)));
}

describe('README metric table', () => {
  it('lists exactly the metrics the registry declares, with their types, labels and help (npm run docs:metrics)', () => {
    const documented = readmeTable(readFileSync(README, 'utf8'));
    assert.ok(documented, 'README.md has no metrics block');
    assert.deepEqual(rows(documented), rows(metricsTable()), 'run npm run docs:metrics');
  });
});
