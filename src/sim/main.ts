// `cxone-connector sim`: converts the parsed flags, starts the simulator, prints one ready line, and runs until
// the signal aborts (the CLI owns process signals). Resolves once the server has closed.
import type { Logger } from 'pino';
import { loadFixturesFile } from './fixtures-file.ts';
import { SimOptionsError } from './options.ts';
import { createSimulator } from './server.ts';
import { SIM_FLAGS } from './cli-options.ts';

export interface RunSimulatorDeps {
  logger: Logger;
  signal?: AbortSignal;
  stdout?: { write(text: string): unknown };
}

/** Runs the simulator with the options the CLI parsed (flag name -> its text), until `signal` aborts. */
export async function runSimulator(
  values: Readonly<Record<string, unknown>>,
  deps: RunSimulatorDeps,
): Promise<void> {
  const stdout = deps.stdout ?? process.stdout;
  const issues: string[] = [];
  const raw: Record<string, unknown> = {};
  for (const [flag, [key, kind]] of Object.entries(SIM_FLAGS)) {
    const value = values[flag];
    if (typeof value !== 'string') continue;
    const converted = kind === 'number' ? Number(value) : value;
    if (kind === 'number' && (value.trim() === '' || Number.isNaN(converted)))
      issues.push(`--${flag}: not a number`);
    else raw[key] = converted;
  }
  const host = typeof values.host === 'string' ? values.host : '127.0.0.1';
  const port = typeof values.port === 'string' ? Number(values.port) : 8089;
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    issues.push('--port: must be an integer in 0..65535');
  if (issues.length > 0) throw new SimOptionsError(issues);
  if (typeof values.fixtures === 'string') raw.fixtures = await loadFixturesFile(values.fixtures);

  const sim = createSimulator(raw, { logger: deps.logger });
  if (deps.signal?.aborted) return;
  const { url } = await sim.listen(port, host);
  stdout.write(`cxone-sim listening on ${url}\n`);
  deps.logger.info({ url, seed: sim.options.seed, faults: sim.faults() }, 'cxone simulator ready');
  // Without a signal the simulator runs until the process ends.
  await new Promise<void>((resolve) => {
    if (deps.signal?.aborted) resolve();
    deps.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  await sim.close();
  deps.logger.info('cxone simulator stopped');
}
