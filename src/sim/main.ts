// `cxone-connector sim`: parses flags, starts the simulator, prints one ready line, and runs until
// the signal aborts (the CLI owns process signals). Resolves once the server has closed.
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { loadFixturesFile } from './fixtures-file.ts';
import { SimOptionsError } from './options.ts';
import { createSimulator } from './server.ts';

// flag -> option name and kind. Numbers are converted here and range-checked by the schema.
const FLAGS = {
  'client-id': ['clientId', 'string'],
  'client-secret': ['clientSecret', 'string'],
  contacts: ['contacts', 'number'],
  seed: ['seed', 'number'],
  'max-body-bytes': ['maxBodyBytes', 'number'],
  'token-ttl-s': ['tokenTtlS', 'number'],
  'idempotency-ttl-s': ['idempotencyTtlS', 'number'],
  'latency-ms': ['latencyMs', 'number'],
  'latency-jitter-ms': ['latencyJitterMs', 'number'],
  'latency-distribution': ['latencyDistribution', 'string'],
  'rate-429': ['rate429', 'number'],
  'retry-after-s': ['retryAfterS', 'number'],
  'retry-after-format': ['retryAfterFormat', 'string'],
  'rate-limit-rps': ['rateLimitRps', 'number'],
  'rate-limit-burst': ['rateLimitBurst', 'number'],
  'rate-5xx': ['rate5xx', 'number'],
  'rate-hang': ['rateHang', 'number'],
  'hang-ms': ['hangMs', 'number'],
  'rate-drop': ['rateDrop', 'number'],
  'fault-after-effect-ratio': ['faultAfterEffectRatio', 'number'],
  'async-delay-ms': ['asyncDelayMs', 'number'],
  'async-fail-rate': ['asyncFailRate', 'number'],
  'async-cancel-rate': ['asyncCancelRate', 'number'],
} as const satisfies Record<string, readonly [string, 'string' | 'number']>;

const USAGE = `Usage: cxone-connector sim [options]
  --host <addr>                   listen address (default 127.0.0.1)
  --port <n>                      listen port, 0 for a free one (default 8089)
  --fixtures <file>               YAML/JSON with contacts, journeys, dataActions, clients
  --contacts <n>                  generated contacts c-000001..c-<n> (default 1000)
  --client-id / --client-secret   OAuth client (default sim-client / sim-secret)
  --token-ttl-s <n>               access token lifetime (default 3600)
  --idempotency-ttl-s <n>         Idempotency-Key lifetime (default 86400)
  --latency-ms <n> --latency-jitter-ms <n> --latency-distribution uniform|exponential
  --rate-429 <0..1> --retry-after-s <n> --retry-after-format seconds|http-date
  --rate-limit-rps <n> --rate-limit-burst <n>   hard token bucket over /api (0 = off)
  --rate-5xx <0..1> --rate-hang <0..1> --hang-ms <n> --rate-drop <0..1>
  --fault-after-effect-ratio <0..1>   share of faults on trigger/invoke after the effect (0.5)
  --async-delay-ms <n> --async-fail-rate <0..1> --async-cancel-rate <0..1>
  --seed <n>                      seed for injected randomness (default: random, see /_sim/stats)
  --max-body-bytes <n>            request body limit (default 102400)
`;

export interface RunSimulatorDeps {
  logger: Logger;
  signal?: AbortSignal;
  stdout?: { write(text: string): unknown };
}

function parseFlags(argv: string[]): { values: Record<string, string | boolean | undefined> } {
  const options: Record<string, { type: 'string' | 'boolean' }> = {
    host: { type: 'string' },
    port: { type: 'string' },
    fixtures: { type: 'string' },
    help: { type: 'boolean' },
  };
  for (const flag of Object.keys(FLAGS)) options[flag] = { type: 'string' };
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  } catch (cause) {
    throw new SimOptionsError([(cause as Error).message]);
  }
}

export async function runSimulator(argv: string[], deps: RunSimulatorDeps): Promise<void> {
  const stdout = deps.stdout ?? process.stdout;
  const { values } = parseFlags(argv);
  if (values.help === true) {
    stdout.write(USAGE);
    return;
  }
  const issues: string[] = [];
  const raw: Record<string, unknown> = {};
  for (const [flag, [key, kind]] of Object.entries(FLAGS)) {
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
