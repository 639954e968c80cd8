// Child processes of the stack: each runs detached in its own process group so
// that one signal to the group reaches everything it forked, and so that `up`
// can exit while the stack keeps running.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SpawnedProcess {
  pid: number;
  /** Resolves with the exit code (or signal name) when the process ends; only usable in the process that spawned it. */
  exited: Promise<string>;
}

export function spawnDetached(
  command: string,
  args: readonly string[],
  options: { cwd: string; logFile: string; env?: NodeJS.ProcessEnv },
): SpawnedProcess {
  // Append, so a restarted broker keeps the history of the previous run in the same file.
  const fd = openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    if (child.pid === undefined) throw new Error(`could not start ${command}; see ${options.logFile}`);
    const exited = new Promise<string>((resolve) => {
      child.once('exit', (code, signal) => resolve(signal ?? String(code)));
      child.once('error', (err) => resolve(`error: ${err.message}`));
    });
    // The stack must not keep the Node event loop alive by itself.
    child.unref();
    return { pid: child.pid, exited };
  } finally {
    closeSync(fd);
  }
}

/** Whether any process of the group led by pid still exists. */
export function isGroupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Guards against pid reuse: a state file can outlive its processes (reboot,
 * kill -9), and then its pids may name unrelated processes. Where /proc is not
 * available we cannot tell and trust the pid.
 */
export function commandLineContains(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(marker);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code !== 'ENOENT' && code !== 'ESRCH';
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

async function waitGroupGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isGroupAlive(pid)) return true;
    await sleep(100);
  }
  return !isGroupAlive(pid);
}

/** SIGTERM the group, then SIGKILL it if it has not gone within graceMs. */
export async function stopGroup(pid: number, graceMs: number): Promise<void> {
  if (!isGroupAlive(pid)) return;
  signalGroup(pid, 'SIGTERM');
  if (await waitGroupGone(pid, graceMs)) return;
  signalGroup(pid, 'SIGKILL');
  if (!(await waitGroupGone(pid, 10_000))) throw new Error(`process group ${pid} survived SIGKILL`);
}

export async function killGroup(pid: number): Promise<void> {
  signalGroup(pid, 'SIGKILL');
  if (!(await waitGroupGone(pid, 10_000))) throw new Error(`process group ${pid} survived SIGKILL`);
}

/** Last lines of a log file, for error messages that point at the cause. */
async function tail(file: string, lines = 20): Promise<string> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return '(no log file)';
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 16_384);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const text = buffer.toString('utf8').split('\n').filter(Boolean).slice(-lines).join('\n');
    return text === '' ? '(the log is empty)' : text;
  } finally {
    await handle.close();
  }
}

class ReadinessTimeout extends Error {}

/**
 * Polls check() until it returns true. Stops early when the process has
 * exited, since waiting longer for a dead process only hides the cause.
 */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  options: { timeoutMs: number; logFile: string; exited?: Promise<string>; pid?: number },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let exitedWith: string | undefined;
  void options.exited?.then((how) => (exitedWith = how));
  for (;;) {
    if (await check().catch(() => false)) return;
    if (exitedWith === undefined && options.pid !== undefined && !isGroupAlive(options.pid))
      exitedWith = 'unknown';
    if (exitedWith !== undefined) {
      throw new ReadinessTimeout(
        `${what} exited (${exitedWith}) before becoming ready; see ${options.logFile}, last lines:\n${await tail(options.logFile)}`,
      );
    }
    if (Date.now() >= deadline) {
      throw new ReadinessTimeout(
        `${what} did not become ready within ${options.timeoutMs / 1000}s; see ${options.logFile}, last lines:\n${await tail(options.logFile)}`,
      );
    }
    await sleep(250);
  }
}
