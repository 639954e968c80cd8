/**
 * Where a V8 CPU profile's time went, by library and by function (self time):
 *
 *   npm run bench -- --modes full --profile        # writes <logs>/full-profile/*.cpuprofile
 *   node bench/profile-summary.ts <file.cpuprofile> [--top 25] [--json out.json]
 *
 * A library is the npm package a function's file is in, `connector` for this
 * project's own code, `node` for Node's internals, and V8's own entries
 * (`(garbage collector)`, `(program)`, `(idle)`) under their names.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  /** Without (idle): the time the process was on the CPU. */
  busyMs: number;
  byLibrary: { library: string; ms: number; share: number }[];
  byFunction: { fn: string; library: string; ms: number; share: number }[];
}

export function libraryOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : 'native';
  if (url.startsWith('node:')) return 'node';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + '/node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? 'native');
  }
  return 'connector';
}

export function summarize(profile: CpuProfile, top = 25): ProfileSummary {
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const byLibrary = new Map<string, number>();
  const byFunction = new Map<string, { library: string; us: number }>();
  let total = 0;
  let idle = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    total += us;
    if (functionName === '(idle)') {
      idle += us;
      continue;
    }
    const library = libraryOf(url, functionName);
    byLibrary.set(library, (byLibrary.get(library) ?? 0) + us);
    const file = url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\/(src|dist)\//, '$1/');
    const key = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
    const entry = byFunction.get(key) ?? { library, us: 0 };
    entry.us += us;
    byFunction.set(key, entry);
  }
  const busy = total - idle;
  const ms = (us: number) => Math.round(us / 100) / 10;
  const share = (us: number) => Math.round((us / Math.max(1, busy)) * 1000) / 1000;
  return {
    totalMs: ms(total),
    busyMs: ms(busy),
    byLibrary: [...byLibrary]
      .sort((a, b) => b[1] - a[1])
      .map(([library, us]) => ({ library, ms: ms(us), share: share(us) })),
    byFunction: [...byFunction]
      .sort((a, b) => b[1].us - a[1].us)
      .slice(0, top)
      .map(([fn, { library, us }]) => ({ fn, library, ms: ms(us), share: share(us) })),
  };
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' }, json: { type: 'string' } },
  });
  const [file] = positionals;
  if (!file) {
    process.stderr.write(
      'usage: node bench/profile-summary.ts <file.cpuprofile> [--top N] [--json out.json]\n',
    );
    process.exit(2);
  }
  const summary = summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(values.top));
  if (values.json) writeFileSync(values.json, `${JSON.stringify(summary, null, 2)}\n`);
  const pct = (s: number) => `${(s * 100).toFixed(1).padStart(5)}%`;
  process.stdout.write(
    `on CPU ${summary.busyMs} ms of ${summary.totalMs} ms profiled\n\nby library (self time)\n`,
  );
  for (const l of summary.byLibrary.slice(0, 15))
    process.stdout.write(`  ${pct(l.share)}  ${String(l.ms).padStart(8)} ms  ${l.library}\n`);
  process.stdout.write('\nby function (self time)\n');
  for (const f of summary.byFunction)
    process.stdout.write(`  ${pct(f.share)}  ${String(f.ms).padStart(8)} ms  ${f.fn}  [${f.library}]\n`);
}
