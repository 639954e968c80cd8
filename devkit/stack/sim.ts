// The CXone simulator is the project's own product (src/cli.ts sim); the stack
// only starts it next to Kafka and the registry for demos and tests.
import { spawnDetached, type SpawnedProcess, waitUntil } from './processes.ts';

export function simUrl(port: number): string {
  return `http://127.0.0.1:${port}`;
}

/**
 * `{port}` in the command is replaced by the chosen port; without it,
 * `--host 127.0.0.1 --port <port>` is appended.
 */
function simArgs(command: readonly string[], port: number): string[] {
  const hasPlaceholder = command.some((arg) => arg.includes('{port}'));
  const args = command.map((arg) => arg.replaceAll('{port}', String(port)));
  return hasPlaceholder ? args : [...args, '--host', '127.0.0.1', '--port', String(port)];
}

export function launchSim(options: {
  command: readonly string[];
  cwd: string;
  logFile: string;
  port: number;
}): SpawnedProcess {
  const [bin, ...args] = simArgs(options.command, options.port);
  if (bin === undefined) throw new Error('sim.command is empty');
  return spawnDetached(bin, args, { cwd: options.cwd, logFile: options.logFile });
}

async function simWorks(url: string): Promise<boolean> {
  const response = await fetch(`${url}/_sim/stats`, { signal: AbortSignal.timeout(2000) });
  await response.body?.cancel();
  return response.status === 200;
}

export async function waitSimReady(
  url: string,
  options: { timeoutMs: number; logFile: string; pid: number; exited?: Promise<string> },
): Promise<void> {
  await waitUntil('CXone simulator', () => simWorks(url), options);
}
