/**
 * node:test's spec reporter, plus, under each failing test, the last 50
 * lines of its log file (test/support/test-log.ts) and the file's path. The
 * logs of passing tests stay in their files: a green run shows just the tests.
 */
import { existsSync, readFileSync } from 'node:fs';
import { spec } from 'node:test/reporters';
import type { Transform, TransformCallback } from 'node:stream';
import { HOOKS_LOG, SCRATCH_ENV, testLogPath } from './test-log-paths.ts';

const TAIL = 50;

interface TestEvent {
  type: string;
  data?: {
    name?: string;
    nesting?: number;
    file?: string;
    details?: { error?: { failureType?: string } };
  };
}

// `spec` is a factory; its class (a Transform) is what can be extended.
const SpecReporterClass = (Object.getPrototypeOf(new spec()) as { constructor: new () => Transform })
  .constructor;

export default class QuietSpecReporter extends SpecReporterClass {
  /** Per test file, the names of the tests started at each nesting level: to rebuild full names. */
  readonly #names = new Map<string, string[]>();

  override _transform(event: TestEvent, encoding: BufferEncoding, callback: TransformCallback): void {
    const { type, data } = event;
    const file = data?.file;
    if (type === 'test:start' && file && data.name !== undefined) {
      const names = this.#names.get(file) ?? [];
      names.length = data.nesting ?? 0;
      names.push(data.name);
      this.#names.set(file, names);
    }
    super._transform(event, encoding, (error?: Error | null, output?: unknown) => {
      if (error || type !== 'test:fail' || !file || data.name === undefined) return callback(error, output);
      // A suite whose test failed, a test its suite's hook cancelled: the log is shown where it failed.
      const failure = data.details?.error?.failureType;
      if (failure === 'subtestsFailed' || failure === 'cancelledByParent') return callback(null, output);
      const names = [...(this.#names.get(file) ?? []).slice(0, data.nesting ?? 0), data.name];
      callback(null, `${typeof output === 'string' ? output : ''}${logTail(file, names.join(' > '))}`);
    });
  }
}

function logTail(file: string, fullName: string): string {
  const scratch = process.env[SCRATCH_ENV];
  if (!scratch) return '';
  const own = testLogPath(scratch, file, fullName);
  const hooks = testLogPath(scratch, file, HOOKS_LOG);
  const path = existsSync(own) ? own : existsSync(hooks) ? hooks : undefined;
  if (!path) return '';
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  const shown = lines.slice(-TAIL);
  return [
    `  log of this test: ${path} (${shown.length < lines.length ? `last ${TAIL} of ${lines.length}` : 'all'} lines)`,
    ...shown.map((line) => `  | ${line.length > 400 ? `${line.slice(0, 400)}…` : line}`),
    '',
  ].join('\n');
}
