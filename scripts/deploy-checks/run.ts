/** Running the real tools for the deployment checks: a failure names what failed and stops the run. */
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';

/** A check that did not pass: check-deploy prints it as `FAIL: <message>` and exits 1. */
export class CheckFailed extends Error {}

export function fail(message: string): never {
  throw new CheckFailed(message);
}

export const step = (title: string): void => void process.stdout.write(`\n== ${title}\n`);
export const ok = (what: string): void => void process.stdout.write(`   ok: ${what}\n`);

interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Show the tool's own output (its errors are what the reader needs); default: captured. */
  show?: boolean;
}

function exec(
  command: string,
  args: readonly string[],
  options: RunOptions,
): { ok: boolean; stdout: string; stderr: string } {
  const settings: ExecFileSyncOptions = {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: options.show ? ['ignore', 'pipe', 'inherit'] : ['ignore', 'pipe', 'pipe'],
  };
  try {
    return { ok: true, stdout: execFileSync(command, args, settings) as unknown as string, stderr: '' };
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    return { ok: false, stdout: stdout ?? '', stderr: stderr ?? '' };
  }
}

/** Runs `command`; its stdout, or the failure `why` (with what the tool said) when it exits non-zero. */
export function run(command: string, args: readonly string[], why: string, options: RunOptions = {}): string {
  const result = exec(command, args, options);
  if (result.ok) return result.stdout;
  const said = `${result.stdout}${result.stderr}`.trim();
  if (said && !options.show) process.stderr.write(`${said}\n`);
  return fail(why);
}

/** Whether `command` exits 0; what it printed, either way. */
export function attempt(
  command: string,
  args: readonly string[],
  options: Omit<RunOptions, 'show'> = {},
): { ok: boolean; output: string } {
  const result = exec(command, args, options);
  return { ok: result.ok, output: `${result.stdout}${result.stderr}` };
}

export const commandExists = (command: string): boolean => attempt('sh', ['-c', `command -v ${command}`]).ok;
