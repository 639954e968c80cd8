import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { METRICS_DOC, documentedTable, metricsTable } from '../../../devkit/metrics-table.ts';

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

describe('the metric table of docs/metrics.md', () => {
  it('lists exactly the metrics the registry declares, with their types, labels and help (npm run docs:metrics)', () => {
    const documented = documentedTable(readFileSync(METRICS_DOC, 'utf8'));
    assert.ok(documented, 'docs/metrics.md has no metrics block');
    assert.deepEqual(rows(documented), rows(metricsTable()), 'run npm run docs:metrics');
  });
});
