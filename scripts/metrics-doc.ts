/** Rewrites the metric table of docs/metrics.md from the metric registry: `npm run docs:metrics`. */
import { readFileSync, writeFileSync } from 'node:fs';
import { END, METRICS_DOC, START, metricsTable } from '../devkit/metrics-table.ts';

const doc = readFileSync(METRICS_DOC, 'utf8');
const start = doc.indexOf(START);
const end = doc.indexOf(END);
if (start < 0 || end < start) throw new Error(`docs/metrics.md has no ${START} … ${END} block`);
writeFileSync(METRICS_DOC, `${doc.slice(0, start + START.length)}\n\n${metricsTable()}\n\n${doc.slice(end)}`);
process.stdout.write('docs/metrics.md metric table updated\n');
