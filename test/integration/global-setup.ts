/**
 * Starts the real stack once for the whole integration suite (Kafka, the
 * registry, the CXone simulator) and stops it afterwards. If it cannot start,
 * the suite fails here, loudly; no test is skipped.
 */
import { appendFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type StackHandle } from '../../devkit/stack/index.ts';
import { STACK_ENV } from '../support/stack-env.ts';
import { SCRATCH_ENV } from '../support/test-log-paths.ts';

let stack: StackHandle | undefined;

export async function globalSetup(): Promise<void> {
  const root = new URL('../../', import.meta.url).pathname;
  const dir = mkdtempSync(join(tmpdir(), 'cxone-it-'));
  // Each test's logs go under it (test/support/test-log.ts); the reporter prints a failing test's.
  process.env[SCRATCH_ENV] = dir;
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const stackLog = join(dir, 'logs', 'stack.log');
  stack = await startStack({
    dir,
    sim: { command: [process.execPath, join(root, 'src/cli.ts'), 'sim'], cwd: root },
    // The plaintext listener for most tests and the tools; SASL_SSL, mTLS and ACLs for the security tests.
    secure: true,
    // Into the scratch folder, not the terminal: a green run shows just the tests.
    log: (line) => appendFileSync(stackLog, `${line}\n`),
  }).catch((error: unknown) => {
    throw new Error(`the integration stack did not start (its log: ${stackLog}): ${String(error)}`, {
      cause: error,
    });
  });
  process.env[STACK_ENV.bootstrap] = stack.kafka.bootstrap;
  process.env[STACK_ENV.registry] = stack.registry.url;
  process.env[STACK_ENV.sim] = stack.sim?.url ?? '';
  process.env[STACK_ENV.logs] = stack.logsDir;
  process.env[STACK_ENV.secure] = JSON.stringify(stack.secure);
}

export async function globalTeardown(): Promise<void> {
  await stack?.stop();
}
