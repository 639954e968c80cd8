/**
 * The process edge: the only module that reads process.env, handles signals
 * and sets the exit code. It parses the command line, loads and validates the
 * config, builds the app with its dependencies and runs it.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig, loadConfigFile, type LoadedConfig } from './config/load-config.ts';
import type { ConnectorConfig } from './config/schema.ts';
import { compileConfig } from './config/compile-config.ts';
import { createConnector } from './connector.ts';
import { runPreflight } from './preflight.ts';
import { createKafkaClient } from './kafka/kafka-client.ts';
import { describeReplay, runDlqReplay } from './replay/dlq-replay.ts';
import { ConfigError } from './errors.ts';
import { createLogLevelControl, createLogger } from './observability/logger.ts';
import { createMetrics } from './observability/metrics.ts';
import { startOpsServer } from './observability/http-server.ts';

const USAGE = `Usage: cxone-connector <command> [options]

Commands:
  run --config <file>               consume, call CXone, write results/audit/DLQ
  validate-config --config <file>   check a config file (and env overrides) without connecting
  check --config <file>             connect to everything the config names and check it: brokers,
                                    authentication, topics, each ACL, the registry and its subjects,
                                    a CXone token, each route's journey or data action; exit 0 when all pass
  dlq replay --config <file> [filters] [--dry-run]
                                    put dead letters back on their input topic, exactly once
                                    filters: --code C (repeatable), --route R (repeatable),
                                    --since/--until <ISO time>, --partition N (of the DLQ),
                                    --from-offset/--to-offset N, --limit N
  sim [--port 8089] [options]       run the CXone simulator (see: cxone-connector sim --help)
  health [--url <url>]              exit 0 when the URL answers 2xx within 4 s, else 1: the image's
                                    HEALTHCHECK (no curl in it). Default: $CXONE_CONNECTOR_HEALTH_URL,
                                    else http://127.0.0.1:9464/readyz
  version                           print the version

Configuration: a YAML file; any setting can be overridden with
CXONE_CONNECTOR__<PATH> environment variables (e.g. CXONE_CONNECTOR__KAFKA__BROKERS='[host:9092]').`;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/**
 * kafkajs 2.2.4 hands setTimeout a negative delay on every response
 * (throttledUntil starts at -1; see its requestQueue), and Node 24 warns each
 * time. Harmless; keep every other warning visible.
 */
function silenceKafkajsTimerWarning(): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name !== 'TimeoutNegativeWarning')
      process.stderr.write(`${warning.name}: ${warning.message}\n`);
  });
}

export async function main(argv: string[]): Promise<number> {
  silenceKafkajsTimerWarning();
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return runCommand(rest);
    case 'validate-config':
      return validateCommand(rest);
    case 'check':
      return checkCommand(rest);
    case 'sim':
      return simCommand(rest);
    case 'health':
      return healthCommand(rest);
    case 'dlq':
      if (rest[0] === 'replay') return replayCommand(rest.slice(1));
      process.stderr.write(`unknown dlq command "${rest[0] ?? ''}" (did you mean: dlq replay)\n\n${USAGE}\n`);
      return 2;
    case 'version':
    case '--version':
      process.stdout.write(`${packageVersion()}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`unknown command "${command}"\n\n${USAGE}\n`);
      return 2;
  }
}

function configPath(args: string[]): string {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } }, strict: true });
  const path = values.config ?? process.env.CXONE_CONNECTOR_CONFIG;
  if (!path) throw new ConfigError(['--config <file> is required (or set CXONE_CONNECTOR_CONFIG)']);
  return path;
}

function validateCommand(args: string[]): number {
  try {
    const path = configPath(args);
    const config = loadConfigFile(path, process.env);
    process.stdout.write(
      `config ${path} is valid: ${config.routes.length} route(s), input ${config.kafka.inputTopics.join(', ')}\n${firstStart(config)}\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

/** The config of --config, or undefined once its problems are on stderr. */
function loadOrReport(args: string[]): LoadedConfig | undefined {
  try {
    return loadConfig(configPath(args), process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return undefined;
    }
    throw error;
  }
}

async function checkCommand(args: string[]): Promise<number> {
  const loaded = loadOrReport(args);
  if (!loaded) return 1;
  const marks = { ok: '✓', fail: '✗', skip: '–' } as const;
  const passed = await runPreflight(loaded.config, {
    // The client libraries' own log lines would repeat each failure; the check lines say it once.
    logger: createLogger({ level: 'silent' }),
    metrics: createMetrics(),
    secretFiles: loaded.secretFiles,
    report: (line) => {
      process.stdout.write(
        `${marks[line.status]} ${line.what}: ${line.detail}${line.fix ? `\n    fix: ${line.fix}` : ''}\n`,
      );
    },
  });
  process.stdout.write(passed ? 'all checks passed\n' : 'some checks failed: fix them and run check again\n');
  return passed ? 0 : 1;
}

async function replayCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        code: { type: 'string', multiple: true },
        route: { type: 'string', multiple: true },
        since: { type: 'string' },
        until: { type: 'string' },
        partition: { type: 'string' },
        'from-offset': { type: 'string' },
        'to-offset': { type: 'string' },
        limit: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values } = parsed;
  const problems: string[] = [];
  const time = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) problems.push(`--${name} must be an ISO-8601 time, e.g. 2026-12-01T08:00:00Z`);
    return ms;
  };
  const whole = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text)) problems.push(`--${name} must be a whole number`);
    return Number(text);
  };
  const filter = {
    ...(values.code ? { codes: values.code.flatMap((c) => c.split(',')) } : {}),
    ...(values.route ? { routes: values.route.flatMap((r) => r.split(',')) } : {}),
    ...optional('sinceMs', time('since', values.since)),
    ...optional('untilMs', time('until', values.until)),
    ...optional('partition', whole('partition', values.partition)),
    ...optional('fromOffset', toBigInt(whole('from-offset', values['from-offset']))),
    ...optional('toOffset', toBigInt(whole('to-offset', values['to-offset']))),
  };
  const limit = whole('limit', values.limit);
  let config;
  try {
    config = loadConfigFile(
      configPath(values.config === undefined ? [] : ['--config', values.config]),
      process.env,
    );
  } catch (error) {
    if (error instanceof ConfigError) problems.push(error.message);
    else throw error;
  }
  if (problems.length > 0 || config === undefined) {
    process.stderr.write(`${problems.join('\n')}\n`);
    return 1;
  }
  const logger = createLogger({ level: 'warn' });
  const options = compileConfig(config);
  const kafka = createKafkaClient(options.kafka, logger);
  const summary = await runDlqReplay(kafka, {
    dlqTopic: options.topics.dlq,
    ledgerTopic: options.topics.replays,
    transactionalId: `${options.committer.transactionalIdPrefix}-dlq-replay`,
    groupId: options.committer.groupId,
    filter,
    limit,
    dryRun: values['dry-run'],
  });
  process.stdout.write(`${describeReplay(summary, options.topics.dlq)}\n`);
  return 0;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

function toBigInt(value: number | undefined): bigint | undefined {
  return value === undefined ? undefined : BigInt(value);
}

/** What a group that has never committed does on its first start, so the first deployment is no surprise. */
function firstStart(config: ConnectorConfig): string {
  const { startFrom, groupId } = config.kafka;
  const where =
    startFrom === 'earliest'
      ? 'the earliest record each input partition still holds: the whole retained topic is acted on'
      : startFrom === 'latest'
        ? 'the end of each input partition: only events published after that start are acted on'
        : `the first record at or after ${startFrom}`;
  const age =
    config.processing.maxEventAgeMs === undefined
      ? 'no event is too old (set processing.maxEventAgeMs to skip stale ones as EXPIRED)'
      : `events older than ${config.processing.maxEventAgeMs} ms are EXPIRED, not sent`;
  return `first start of group ${groupId} (no committed offsets; kafka.startFrom: ${startFrom}): starts at ${where}; ${age}`;
}

async function runCommand(args: string[]): Promise<number> {
  const loaded = loadOrReport(args);
  if (!loaded) return 1;
  const { config } = loaded;
  const instanceId = randomUUID();
  const logger = createLogger({ level: config.observability.logLevel, instanceId });
  const logLevel = createLogLevelControl(logger);
  const metrics = createMetrics();
  const faultPoint = crashPointsFromEnv(process.env.CXONE_CONNECTOR_TEST_CRASH_POINTS, logger);
  const connector = createConnector(config, {
    logger,
    metrics,
    instanceId,
    secretFiles: loaded.secretFiles,
    version: packageVersion(),
    ...(faultPoint ? { faultPoint } : {}),
  });
  const ops = await startOpsServer(
    metrics.registry,
    connector,
    config.observability.metricsHost,
    config.observability.metricsPort,
    logLevel,
  );
  logger.info(
    { port: ops.port },
    'metrics and health on /metrics, /healthz, /readyz; log level on /loglevel',
  );
  // Debug lines (one per outcome) without a restart: SIGUSR2 turns them on, and off again.
  process.on('SIGUSR2', () => logLevel.toggleDebug());

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now without draining');
      process.exit(130);
    }
    logger.info({ signal }, 'draining: finishing in-flight work, then committing and closing');
    void connector.stop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  try {
    await connector.start();
  } catch (error) {
    logger.fatal({ err: error }, 'connector failed to start');
    await ops.close();
    return 1;
  }
  const final = await connector.finished;
  await connector.stop();
  await ops.close();
  logger.info({ state: final }, 'connector stopped');
  const code = final === 'failed' ? 1 : 0;
  // Everything is committed and closed by now; a socket some library failed to close must not keep the pod alive.
  setTimeout(() => {
    logger.warn('handles still open 5 s after the stop; exiting anyway');
    process.exit(code);
  }, 5_000).unref();
  return code;
}

/**
 * Test-only: `CXONE_CONNECTOR_TEST_CRASH_POINTS="after-call=0.001,during-commit=0.01"`
 * makes the process SIGKILL itself at those points with those probabilities,
 * so the chaos run can land kills at the worst moments on purpose.
 */
function crashPointsFromEnv(
  spec: string | undefined,
  logger: ReturnType<typeof createLogger>,
): ((name: string) => void) | undefined {
  if (!spec) return undefined;
  const odds = new Map(
    spec.split(',').map((part) => {
      const [name, p] = part.split('=');
      return [name?.trim() ?? '', Number(p)] as const;
    }),
  );
  logger.warn(
    { crashPoints: Object.fromEntries(odds) },
    'TEST CRASH POINTS ARMED: this process will kill itself',
  );
  return (name) => {
    const p = odds.get(name);
    if (p !== undefined && Math.random() < p) {
      process.stderr.write(`crash point ${name}: SIGKILL\n`);
      process.kill(process.pid, 'SIGKILL');
    }
  };
}

const DEFAULT_HEALTH_URL = 'http://127.0.0.1:9464/readyz';

async function healthCommand(args: string[]): Promise<number> {
  let url: string;
  try {
    const { values } = parseArgs({ args, options: { url: { type: 'string' } }, strict: true });
    url = values.url ?? process.env.CXONE_CONNECTOR_HEALTH_URL ?? DEFAULT_HEALTH_URL;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(4_000) });
    await response.body?.cancel();
    if (response.ok) return 0;
    process.stderr.write(`${url}: ${response.status}\n`);
  } catch (error) {
    process.stderr.write(`${url}: ${(error as Error).message}\n`);
  }
  return 1;
}

async function simCommand(args: string[]): Promise<number> {
  const { runSimulator } = await import('./sim/main.ts');
  const logger = createLogger({ level: process.env.CXONE_SIM_LOG_LEVEL ?? 'info', name: 'cxone-sim' });
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  await runSimulator(args, { logger, signal: controller.signal });
  return 0;
}
