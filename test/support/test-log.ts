/**
 * Where the logs of an integration test go: connector (in-process and child
 * process), kafkajs and stack lines are written to one file per test under the
 * suite's scratch folder, not to the terminal. test/support/quiet-reporter.ts
 * prints a file's last lines only when its test fails.
 *
 * Importing this module registers file-wide hooks that note which test is
 * running; a line written outside any test (a `before` or `after` hook) goes
 * to the file's `_hooks.log`.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'node:test';
import { HOOKS_LOG, SCRATCH_ENV, testLogPath } from './test-log-paths.ts';

let current: { file: string; fullName: string } | undefined;

beforeEach((t) => {
  current = { file: t.filePath ?? process.argv[1] ?? 'unknown', fullName: t.fullName };
});
afterEach(() => {
  current = undefined;
});

function scratch(): string {
  return process.env[SCRATCH_ENV] ?? join(tmpdir(), 'cxone-test-logs');
}

/** The log file of the test running now (or of the file's hooks). */
export function currentTestLog(): string {
  const file = current?.file ?? process.argv[1] ?? 'unknown';
  return testLogPath(scratch(), file, current?.fullName ?? HOOKS_LOG);
}

const made = new Set<string>();

/** Appends to the running test's log; what pino, kafkajs adapters and child-process pipes write to. */
export function writeTestLog(text: string): void {
  const path = currentTestLog();
  const dir = join(path, '..');
  if (!made.has(dir)) {
    mkdirSync(dir, { recursive: true });
    made.add(dir);
  }
  appendFileSync(path, text.endsWith('\n') ? text : `${text}\n`);
}

/** A pino destination (anything with `write`) into the running test's log. */
export const testLogDestination = { write: (line: string): void => writeTestLog(line) };
