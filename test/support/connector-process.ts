/**
 * The real `cxone-connector run` as a child process, for tests that need
 * real signals (SIGTERM drains) and several group members.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectorConfig } from '../../src/config/schema.ts';
import { writeTestLog } from './test-log.ts';

const root = new URL('../../', import.meta.url).pathname;

export interface ConnectorProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
}

export function startConnectorProcess(
  config: ConnectorConfig,
  options: { logLevel?: 'info' | 'debug' } = {},
): ConnectorProcess {
  const dir = mkdtempSync(join(tmpdir(), 'cxone-proc-'));
  const file = join(dir, 'config.yaml');
  writeFileSync(
    file,
    JSON.stringify({
      ...config,
      observability: { ...config.observability, metricsPort: 0, logLevel: options.logLevel ?? 'info' },
    }),
  );
  const child = spawn(process.execPath, [join(root, 'src/cli.ts'), 'run', '--config', file], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // Kept for the test's assertions and written to its log, where a failure's report shows it.
  const record = (chunk: Buffer): void => {
    output += chunk.toString();
    writeTestLog(chunk.toString());
  };
  child.stdout?.on('data', record);
  child.stderr?.on('data', record);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}
