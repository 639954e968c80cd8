/**
 * The process edge: the only module that reads process.env, handles signals
 * and sets the exit code. It parses the command line, loads and validates the
 * config, builds the app with its dependencies and runs it.
 */
import { createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConnectorConfig } from './config/schema.ts';
import { ConnectorError } from './errors.ts';
import {
  EXIT_CODES,
  commandHelp,
  parseCommand,
  type CommandSpec,
  type OptionValues,
} from './command-line.ts';
import { SIM_OPTIONS } from './sim/cli-options.ts';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** A usage problem found after parsing (a bad option value): exit 2 with the command's usage. */
class UsageError extends Error {}

interface CommandContext {
  /** --debug or LOG_LEVEL=debug: stack traces on failure, debug logs for `run`. */
  debug: boolean;
  /** Test builds only (src/cli-crash-points.ts): named points where `run` may kill itself. */
  faultPoint?: ((name: string) => void) | undefined;
}

/** What an entry point may give main beside the arguments. */
export interface MainHooks {
  /** The chaos run's crash points; the product's entry (cli.ts) never passes one. */
  faultPoint?: (name: string) => void;
}

interface Command {
  spec: CommandSpec;
  run(values: OptionValues, context: CommandContext): Promise<number> | number;
}

const CONFIG_OPTION = {
  config: {
    type: 'string',
    short: 'c',
    valueName: 'file',
    description: 'the config file (default: $CXONE_CONNECTOR_CONFIG)',
  },
} as const;

const COMMANDS: Readonly<Record<string, Command>> = {
  run: {
    spec: {
      name: 'run',
      title: 'consume, call CXone, write results, audit and dead letters',
      synopsis: '--config <file>',
      summary:
        'Consume the input topics, call CXone for each routed event, write results, audit records and dead letters, exactly once.',
      options: CONFIG_OPTION,
      exitCodes: {
        ok: 'stopped cleanly (SIGTERM or SIGINT, drained)',
        failed: 'could not start, or stopped on a failure',
      },
      notes:
        'Logs are JSON lines on stdout. Metrics and health on observability.metricsPort (/metrics, /healthz, /readyz).',
    },
    run: (values, context) => runCommand(values, context),
  },
  'validate-config': {
    spec: {
      name: 'validate-config',
      title: 'check a config file without connecting',
      synopsis: '--config <file>',
      summary:
        'Check a config file (and its CXONE_CONNECTOR__* environment overrides) without connecting to anything.',
      options: CONFIG_OPTION,
      exitCodes: { ok: 'the config is valid', failed: 'it is not: every problem is listed with its path' },
    },
    run: (values) => validateCommand(values),
  },
  check: {
    spec: {
      name: 'check',
      title: 'check every connection, credential, topic and ACL the config needs',
      synopsis: '--config <file>',
      summary:
        "Connect to everything the config names and check it, changing nothing: brokers, authentication, topics, each ACL, the registry and its subjects, a CXone token, each route's journey or data action.",
      options: CONFIG_OPTION,
      exitCodes: { ok: 'every check passed', failed: 'a check failed (its line says what to fix)' },
    },
    run: (values) => checkCommand(values),
  },
  'dlq replay': {
    spec: {
      name: 'dlq replay',
      title: 'put dead letters back on their input topic, exactly once',
      synopsis: '--config <file> [filters] [--dry-run]',
      summary:
        'Put dead letters back on their input topic, exactly once: the replay ledger topic remembers what was replayed.',
      options: {
        ...CONFIG_OPTION,
        code: {
          type: 'string',
          multiple: true,
          valueName: 'code',
          description: 'only dead letters with this error code (or a,b,c)',
        },
        route: {
          type: 'string',
          multiple: true,
          valueName: 'route',
          description: 'only dead letters of this route (or a,b,c)',
        },
        since: {
          type: 'string',
          valueName: 'ISO time',
          description: 'only dead letters written at or after this time',
        },
        until: {
          type: 'string',
          valueName: 'ISO time',
          description: 'only dead letters written before this time',
        },
        partition: { type: 'string', valueName: 'n', description: 'only this partition of the DLQ' },
        'from-offset': { type: 'string', valueName: 'n', description: 'only DLQ offsets from n' },
        'to-offset': { type: 'string', valueName: 'n', description: 'only DLQ offsets up to n' },
        limit: { type: 'string', valueName: 'n', description: 'replay at most n dead letters' },
        'dry-run': { type: 'boolean', description: 'list what would be replayed, write nothing' },
      },
      exitCodes: {
        ok: 'replayed (or listed, with --dry-run)',
        failed: 'the replay failed; nothing half-written stays visible',
      },
    },
    run: (values) => replayCommand(values),
  },
  'audit verify': {
    spec: {
      name: 'audit verify',
      title: 'prove the audit topic untampered: chains, signed checkpoints',
      synopsis: '--config <file> --public-key <file> [--chain <name>] [--from <x>] [--to <x>] [--json]',
      summary:
        'Read the audit and checkpoint topics (read_committed) and check every chain link, that sequences are contiguous, every checkpoint signature, that each checkpoint extends the one before, and that the records match each signed Merkle root. Prints a line per chain and names the first divergence of each: chain, sequence, audit partition and offset, and the check that failed.',
      options: {
        ...CONFIG_OPTION,
        'public-key': {
          type: 'string',
          multiple: true,
          valueName: '[keyId=]file',
          description:
            'a PEM public key of audit.signingKey (its keyId is derived unless given); repeat for keys rotated out',
        },
        chain: { type: 'string', valueName: 'topic/partition', description: 'only this chain' },
        from: {
          type: 'string',
          valueName: 'seq|ISO time',
          description: 'start at this chain sequence, or at the first record processed at or after this time',
        },
        to: {
          type: 'string',
          valueName: 'seq|ISO time',
          description: 'end at this chain sequence, or at the last record processed at or before this time',
        },
        json: { type: 'boolean', description: 'print the result as JSON on stdout' },
      },
      exitCodes: {
        ok: 'every record and checkpoint read holds',
        failed: 'a divergence, an unreadable record, or a partition an open transaction left unread',
      },
    },
    run: (values) => auditVerifyCommand(values),
  },
  sim: {
    spec: {
      name: 'sim',
      title: 'run the CXone simulator',
      synopsis: '[options]',
      summary:
        'Run the CXone simulator (the seed contract, its token flows and injectable faults) for tests and demos.',
      options: SIM_OPTIONS,
      exitCodes: {
        ok: 'stopped by SIGTERM or SIGINT',
        failed: 'could not start (a bad option value, a fixtures file, a port in use)',
      },
    },
    run: (values) => simCommand(values),
  },
  health: {
    spec: {
      name: 'health',
      title: "exit 0 when the connector's /readyz answers 2xx (the image's HEALTHCHECK)",
      synopsis: '[--url <url>]',
      summary:
        "Exit 0 when the URL answers 2xx within 4 s: the image's HEALTHCHECK (there is no curl in it).",
      options: {
        url: {
          type: 'string',
          valueName: 'url',
          description: 'default: $CXONE_CONNECTOR_HEALTH_URL, else http://127.0.0.1:9464/readyz',
        },
      },
      exitCodes: { ok: 'healthy (2xx)', failed: 'not: the status or the error is printed' },
    },
    run: (values) => healthCommand(values),
  },
  version: {
    spec: {
      name: 'version',
      title: 'print the version',
      synopsis: '',
      summary: 'Print the version.',
      options: {},
    },
    run: () => {
      process.stdout.write(`${packageVersion()}\n`);
      return 0;
    },
  },
};

const USAGE = [
  'Usage: cxone-connector <command> [options]',
  '',
  'Commands:',
  ...Object.values(COMMANDS).map(({ spec }) => `  ${spec.name.padEnd(17)}${spec.title}`),
  '',
  "Run `cxone-connector <command> --help` for a command's options.",
  'Configuration: a YAML file; any setting can be overridden with CXONE_CONNECTOR__<PATH> environment',
  "variables (e.g. CXONE_CONNECTOR__KAFKA__BROKERS='[host:9092]').",
  '',
  `Exit codes: ${EXIT_CODES.ok} success; ${EXIT_CODES.failed} failure (the message says what to fix); ${EXIT_CODES.usage} a usage error.`,
  'A failure prints one line; --debug (or LOG_LEVEL=debug) adds its stack trace.',
  '',
].join('\n');

const HELP = new Set(['--help', '-h', 'help']);
/** Commands of two words: the group, and its one subcommand. */
const GROUPS: Readonly<Record<string, string>> = { dlq: 'replay', audit: 'verify' };

export async function main(argv: string[], hooks: MainHooks = {}): Promise<number> {
  const envDebug = ['debug', 'trace'].includes(process.env.LOG_LEVEL ?? '');
  const [first, ...rest] = argv;
  if (first === undefined) {
    process.stderr.write(USAGE);
    return EXIT_CODES.usage;
  }
  if (HELP.has(first)) {
    const named = rest[0] !== undefined && GROUPS[rest[0]] ? `${rest[0]} ${GROUPS[rest[0]]}` : rest[0];
    const about = named === undefined ? undefined : COMMANDS[named];
    process.stdout.write(about ? commandHelp(about.spec) : USAGE);
    return EXIT_CODES.ok;
  }
  if (first === '--version') return COMMANDS.version!.run({}, { debug: false });
  let name = first;
  let args = rest;
  const sub = GROUPS[first];
  if (sub !== undefined) {
    const full = `${first} ${sub}`;
    if (rest[0] === sub) {
      name = full;
      args = rest.slice(1);
    } else if (rest[0] !== undefined && HELP.has(rest[0])) {
      process.stdout.write(commandHelp(COMMANDS[full]!.spec));
      return EXIT_CODES.ok;
    } else {
      process.stderr.write(
        `unknown ${first} command "${rest[0] ?? ''}": the ${first} command is "${full}"\n\n${USAGE}`,
      );
      return EXIT_CODES.usage;
    }
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`unknown command "${first}"\n\n${USAGE}`);
    return EXIT_CODES.usage;
  }
  const parsed = parseCommand(command.spec, args);
  if (parsed.kind === 'help') {
    process.stdout.write(commandHelp(command.spec));
    return EXIT_CODES.ok;
  }
  if (parsed.kind === 'usage-error') {
    process.stderr.write(`${parsed.message}\n\n${commandHelp(command.spec)}`);
    return EXIT_CODES.usage;
  }
  const debug = parsed.debug || envDebug;
  try {
    return await command.run(parsed.values, { debug, faultPoint: hooks.faultPoint });
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${commandHelp(command.spec)}`);
      return EXIT_CODES.usage;
    }
    process.stderr.write(describeFailure(error, debug));
    return EXIT_CODES.failed;
  }
}

/** One line saying what failed (our errors say what to fix); the stack only when asked for. */
export function describeFailure(error: unknown, debug: boolean): string {
  const message = error instanceof Error ? error.message : String(error);
  // By name: importing the simulator's options would load it (and zod) for every command.
  const known =
    error instanceof ConnectorError || (error instanceof Error && error.name === 'SimOptionsError');
  const line = `error: ${message}${known || debug ? '' : ' (--debug prints the stack trace)'}\n`;
  if (!debug || !(error instanceof Error)) return line;
  const stacks: string[] = [];
  for (let current: unknown = error; current instanceof Error && stacks.length < 5; current = current.cause)
    stacks.push(current.stack ?? current.message);
  return `${line}${stacks.join('\ncaused by: ')}\n`;
}

function configPath(values: OptionValues): string {
  const path = typeof values.config === 'string' ? values.config : process.env.CXONE_CONNECTOR_CONFIG;
  if (!path) throw new UsageError('--config <file> is required (or set CXONE_CONNECTOR_CONFIG)');
  return path;
}

async function validateCommand(values: OptionValues): Promise<number> {
  const path = configPath(values);
  const { loadConfigFile } = await import('./config/load-config.ts');
  const config = loadConfigFile(path, process.env);
  const { riskySettings } = await import('./config/risky-settings.ts');
  process.stdout.write(
    `config ${path} is valid: ${config.routes.length} route(s), input ${config.kafka.inputTopics.join(', ')}\n${firstStart(config)}\n`,
  );
  for (const note of riskySettings(config)) process.stdout.write(`! ${note}\n`);
  return 0;
}

async function checkCommand(values: OptionValues): Promise<number> {
  const path = configPath(values);
  const [{ loadConfig }, { runPreflight }, { createLogger }, { createMetrics }] = await Promise.all([
    import('./config/load-config.ts'),
    import('./preflight.ts'),
    import('./observability/logger.ts'),
    import('./observability/metrics.ts'),
  ]);
  const loaded = loadConfig(path, process.env);
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
  const { riskySettings } = await import('./config/risky-settings.ts');
  for (const note of riskySettings(loaded.config)) process.stdout.write(`! ${note}\n`);
  process.stdout.write(passed ? 'all checks passed\n' : 'some checks failed: fix them and run check again\n');
  return passed ? 0 : 1;
}

async function replayCommand(raw: OptionValues): Promise<number> {
  const values = raw as {
    config?: string;
    code?: string[];
    route?: string[];
    since?: string;
    until?: string;
    partition?: string;
    'from-offset'?: string;
    'to-offset'?: string;
    limit?: string;
    'dry-run'?: boolean;
  };
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
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  const [{ options, kafka }, { describeReplay, runDlqReplay }] = await Promise.all([
    configuredKafka(configPath(values)),
    import('./replay/dlq-replay.ts'),
  ]);
  const summary = await runDlqReplay(kafka, {
    dlqTopic: options.topics.dlq,
    ledgerTopic: options.topics.replays,
    transactionalId: `${options.committer.transactionalIdPrefix}-dlq-replay`,
    groupId: options.committer.groupId,
    filter,
    limit,
    dryRun: values['dry-run'] === true,
  });
  process.stdout.write(`${describeReplay(summary, options.topics.dlq)}\n`);
  return 0;
}

/** The config file, compiled, and a Kafka client for it: where the commands that read topics start. */
async function configuredKafka(path: string) {
  const [{ loadConfigFile }, { compileConfig }, { createKafkaClient }, { createLogger }] = await Promise.all([
    import('./config/load-config.ts'),
    import('./config/compile-config.ts'),
    import('./kafka/kafka-client.ts'),
    import('./observability/logger.ts'),
  ]);
  const options = compileConfig(loadConfigFile(path, process.env));
  return { options, kafka: createKafkaClient(options.kafka, createLogger({ level: 'warn' })) };
}

async function auditVerifyCommand(raw: OptionValues): Promise<number> {
  const values = raw as {
    config?: string;
    'public-key'?: string[];
    chain?: string;
    from?: string;
    to?: string;
    json?: boolean;
  };
  const problems: string[] = [];
  const bound = (name: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    if (/^\d+$/.test(text)) return { seq: Number(text) };
    const ms = Date.parse(text);
    if (Number.isNaN(ms))
      problems.push(`--${name} must be a chain sequence or an ISO-8601 time, e.g. 2026-12-01T08:00:00Z`);
    return { timeMs: ms };
  };
  const from = bound('from', values.from);
  const to = bound('to', values.to);
  const { keyIdOf } = await import('./audit/checkpoint.ts');
  const keys = new Map<string, KeyObject>();
  for (const given of values['public-key'] ?? []) {
    const [, id, file = given] = /^(?:([A-Za-z0-9._:-]{1,64})=)?(.+)$/.exec(given) ?? [];
    try {
      const key = createPublicKey(readFileSync(file));
      if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
      keys.set(id ?? keyIdOf(key), key);
    } catch (error) {
      problems.push(`--public-key ${file}: ${(error as Error).message}`);
    }
  }
  if (keys.size === 0 && problems.length === 0)
    problems.push(
      '--public-key <file> is required: the public key of audit.signingKey (docs/audit.md "Audit integrity")',
    );
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  const [
    { options, kafka },
    { createSchemaRegistry },
    { runAuditVerify },
    { describeVerify, verified, verifyJson },
  ] = await Promise.all([
    configuredKafka(configPath(values)),
    import('./output/registry-client.ts'),
    import('./verify/audit-verify.ts'),
    import('./verify/verify-summary.ts'),
  ]);
  const progress = process.stderr.isTTY ? progressBar() : undefined;
  const result = await runAuditVerify(kafka, createSchemaRegistry(options.registry), {
    auditTopic: options.topics.audit,
    checkpointsTopic: options.topics.auditCheckpoints,
    keys,
    chain: values.chain,
    from,
    to,
    groupPrefix: options.committer.groupId,
    ...(progress ? { onProgress: progress.update } : {}),
  });
  progress?.done();
  const topics = { audit: options.topics.audit, checkpoints: options.topics.auditCheckpoints };
  process.stdout.write(`${values.json ? verifyJson(result) : describeVerify(result, topics)}\n`);
  return verified(result) ? EXIT_CODES.ok : EXIT_CODES.failed;
}

/** One line on the terminal, redrawn: the topic, how far, offsets per second and the time left. */
function progressBar(): {
  update: (topic: string, read: bigint, total: bigint) => void;
  done: () => void;
} {
  const started = Date.now();
  let drawn = 0;
  return {
    update: (topic, read, total) => {
      const now = Date.now();
      if (now - drawn < 200 && read < total) return;
      drawn = now;
      const rate = Number(read) / Math.max(0.001, (now - started) / 1000);
      const left = rate > 0 ? Math.ceil(Number(total - read) / rate) : 0;
      const share = total > 0n ? Number((read * 100n) / total) : 100;
      const bar = '#'.repeat(Math.round(share / 5)).padEnd(20, '.');
      process.stderr.write(
        `\r${topic} [${bar}] ${share}% ${read}/${total} ${Math.round(rate)}/s ETA ${left}s\u001b[K`,
      );
    },
    done: () => {
      process.stderr.write('\r\u001b[K');
    },
  };
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
  if (startFrom === undefined && config.processing.maxEventAgeMs === undefined) {
    return `first start of group ${groupId} (no committed offsets): refused until kafka.startFrom (latest, a time, or earliest for the whole retention) or processing.maxEventAgeMs is set; a group that has committed starts where it left off`;
  }
  const where =
    startFrom === undefined || startFrom === 'earliest'
      ? 'the earliest record each input partition still holds: the whole retained topic is acted on'
      : startFrom === 'latest'
        ? 'the end of each input partition: only events published after that start are acted on'
        : `the first record at or after ${startFrom}`;
  const age =
    config.processing.maxEventAgeMs === undefined
      ? 'no event is too old (set processing.maxEventAgeMs to skip stale ones as EXPIRED)'
      : `events older than ${config.processing.maxEventAgeMs} ms are EXPIRED, not sent`;
  return `first start of group ${groupId} (no committed offsets; kafka.startFrom: ${startFrom ?? 'unset'}): starts at ${where}; ${age}`;
}

async function runCommand(values: OptionValues, { debug, faultPoint }: CommandContext): Promise<number> {
  const path = configPath(values);
  const [
    { loadConfig },
    { createConnector },
    { createLogLevelControl, createLogger },
    { createMetrics },
    { startOpsServer },
  ] = await Promise.all([
    import('./config/load-config.ts'),
    import('./connector.ts'),
    import('./observability/logger.ts'),
    import('./observability/metrics.ts'),
    import('./observability/http-server.ts'),
  ]);
  const loaded = loadConfig(path, process.env);
  const { config } = loaded;
  // The configured name (the chart's pod name), so that logs and the transactional id agree.
  const instanceId = config.kafka.instanceId ?? randomUUID();
  const logger = createLogger({ level: debug ? 'debug' : config.observability.logLevel, instanceId });
  const logLevel = createLogLevelControl(logger);
  const { riskySettings } = await import('./config/risky-settings.ts');
  for (const note of riskySettings(config)) logger.warn({ setting: note.split(' ')[0] }, note);
  const metrics = createMetrics();
  if (faultPoint)
    logger.warn('TEST CRASH POINTS ARMED: this process will kill itself (src/cli-crash-points.ts)');
  const connector = createConnector(config, {
    logger,
    metrics,
    instanceId,
    secretFiles: loaded.secretFiles,
    version: packageVersion(),
    ...(faultPoint ? { faultPoint } : {}),
  });
  const { metricsHost, metricsPort, adminToken } = config.observability;
  const ops = await startOpsServer(metrics.registry, connector, {
    host: metricsHost,
    port: metricsPort,
    logLevel,
    adminToken,
  });
  logger.info(
    { host: metricsHost, port: ops.port },
    adminToken === undefined
      ? 'metrics and health on /metrics, /healthz, /readyz; /status and /loglevel are off (no observability.adminToken)'
      : 'metrics and health on /metrics, /healthz, /readyz; /status and /loglevel with the admin token',
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

const DEFAULT_HEALTH_URL = 'http://127.0.0.1:9464/readyz';

async function healthCommand(values: OptionValues): Promise<number> {
  const url =
    (typeof values.url === 'string' ? values.url : undefined) ??
    process.env.CXONE_CONNECTOR_HEALTH_URL ??
    DEFAULT_HEALTH_URL;
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

async function simCommand(values: OptionValues): Promise<number> {
  // Loaded only for this command: the connector's commands never load the simulator.
  const [{ runSimulator }, { createLogger }] = await Promise.all([
    import('./sim/main.ts').catch((error: unknown) => {
      if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
      throw new UsageError(
        'the CXone simulator is not in this build: the connector image leaves it out; use the simulator image (docker build --target sim) or a checkout (node src/cli.ts sim)',
      );
    }),
    import('./observability/logger.ts'),
  ]);
  const logger = createLogger({ level: process.env.CXONE_SIM_LOG_LEVEL ?? 'info', name: 'cxone-sim' });
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  await runSimulator(values, { logger, signal: controller.signal });
  return 0;
}
