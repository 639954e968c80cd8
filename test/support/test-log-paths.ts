// The one naming of per-test log files, shared by the writer (test-log.ts, in each test process)
// and the reporter (in the runner's process), which must find the same file.
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';

/** Set by the integration suite's global setup (children inherit it): the suite's scratch folder. */
export const SCRATCH_ENV = 'CXONE_IT_SCRATCH';

/** The "test name" of lines written outside any test. */
export const HOOKS_LOG = '_hooks';

function slug(text: string): string {
  const readable = text.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
  // Two names that differ only in what the slug drops must not share a file.
  return `${readable}-${createHash('sha1').update(text).digest('hex').slice(0, 8)}`;
}

/** `<scratch>/logs/<test file>/<test's full name>.log`; the full name is node:test's `a > b > c`. */
export function testLogPath(scratch: string, file: string, fullName: string): string {
  const where = relative(process.cwd(), file.startsWith('file://') ? new URL(file).pathname : file);
  return join(scratch, 'logs', slug(where), `${fullName === HOOKS_LOG ? HOOKS_LOG : slug(fullName)}.log`);
}
