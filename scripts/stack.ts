// The local real stack from the command line:
//   node scripts/stack.ts up [--secure] [--brokers 3] [--with-sim] [--kafka-version V] [--dir D] [--foreground] [-- <extra simulator args>]
//   node scripts/stack.ts down|status [--dir D]
//   node scripts/stack.ts fetch [--kafka-version V]
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_KAFKA_VERSION,
  defaultStackDir,
  ensureJars,
  readStackState,
  stackHealth,
  startStack,
  stopStack,
} from '../devkit/stack/index.ts';
import type { StackHandle, StackOptions } from '../devkit/stack/index.ts';
import { repoRoot } from '../devkit/stack/paths.ts';
import { isListening } from '../devkit/stack/ports.ts';

const usage = `usage: node scripts/stack.ts <up|down|status|fetch> [options]
  up       start Kafka + Apicurio Registry in the background (state in <dir>/state.json)
             --brokers <n>       a KRaft cluster of n nodes (replication factor n, min.insync.replicas n-1)
             --secure            also SASL_SSL and mTLS listeners with ACLs enforced, the registry behind nginx (TLS, auth)
             --with-sim          also start the CXone simulator (node src/cli.ts sim); args after -- go to it
             --foreground        stay attached; Ctrl-C stops the stack
  down     stop the stack listed in <dir>/state.json
  status   show whether each part is running (exit 1 if a part is down or there is no stack)
  fetch    only download the jars (first run of a machine)
options:   --dir <path> (default .stack)   --kafka-version <v> (default ${DEFAULT_KAFKA_VERSION})`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    dir: { type: 'string' },
    'kafka-version': { type: 'string' },
    'with-sim': { type: 'boolean', default: false },
    secure: { type: 'boolean', default: false },
    brokers: { type: 'string', default: '1' },
    foreground: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const [command, ...simExtra] = positionals;
const dir = resolve(values.dir ?? defaultStackDir);
const kafkaVersion = values['kafka-version'] ?? DEFAULT_KAFKA_VERSION;

function describe(stack: StackHandle): string {
  return [
    `kafka     ${stack.kafka.brokers.join(',')}   (Kafka ${stack.kafka.version}, ${stack.kafka.nodes.length} node(s))`,
    `registry  ${stack.registry.url}`,
    ...(stack.sim ? [`sim       ${stack.sim.url}`] : []),
    ...(stack.secure
      ? [
          `sasl_ssl  ${stack.secure.saslSslBootstrap}   (PLAIN, SCRAM-SHA-256/512, OAUTHBEARER; users and passwords in state.json)`,
          `mtls      ${stack.secure.mtlsBootstrap}   (client certificate ${stack.secure.security.clientCertFile})`,
          `ca        ${stack.secure.security.caFile}`,
          `registry  ${stack.secure.registryUrl}   (TLS; basic or bearer auth, in state.json)`,
        ]
      : []),
    `logs      ${stack.logsDir}`,
    `state     ${join(stack.dir, 'state.json')}`,
  ].join('\n');
}

async function up(): Promise<void> {
  const options: StackOptions = {
    dir,
    kafkaVersion,
    detached: !values.foreground,
    secure: values.secure,
    brokers: Number(values.brokers),
  };
  if (values['with-sim']) {
    if (!existsSync(join(repoRoot, 'src', 'cli.ts')))
      throw new Error('--with-sim: src/cli.ts does not exist yet');
    options.sim = {
      command: [
        process.execPath,
        'src/cli.ts',
        'sim',
        '--host',
        '127.0.0.1',
        '--port',
        '{port}',
        ...simExtra,
      ],
      cwd: repoRoot,
    };
  }
  const started = Date.now();
  const stack = await startStack(options);
  console.log(`stack up in ${((Date.now() - started) / 1000).toFixed(1)}s\n${describe(stack)}`);
  if (!values.foreground) return;
  console.log('running in the foreground; Ctrl-C stops it');
  await new Promise<void>((done) => {
    let stopping = false;
    // Signal listeners alone do not keep Node running; this timer does, and
    // tells when a part died (e.g. the broker was killed from outside).
    const reported = new Set<string>();
    const watch = setInterval(() => {
      void readStackState(dir).then((state) => {
        if (state === undefined || stopping) return;
        for (const [part, alive] of Object.entries(stackHealth(state))) {
          if (!alive && !reported.has(part)) console.log(`${part} is not running; see ${state.logsDir}`);
          if (alive) reported.delete(part);
          else reported.add(part);
        }
      });
    }, 2000);
    const onSignal = (): void => {
      if (stopping) return;
      stopping = true;
      clearInterval(watch);
      console.log('\nstopping the stack...');
      stack.stop().then(done, (err: unknown) => {
        console.error(err);
        done();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

async function status(): Promise<number> {
  const state = await readStackState(dir);
  if (state === undefined) {
    console.log(`no stack in ${dir}`);
    return 1;
  }
  const health = stackHealth(state);
  const parts: [string, boolean, number, string][] = [
    ['kafka', health.kafka, state.kafka.port, state.kafka.bootstrap],
    ['registry', health.registry, state.registry.port, state.registry.url],
    ...(state.sim && health.sim !== undefined
      ? [['sim', health.sim, state.sim.port, state.sim.url] as [string, boolean, number, string]]
      : []),
  ];
  let allUp = true;
  for (const [name, alive, port, address] of parts) {
    const listening = alive && (await isListening(port));
    allUp &&= listening;
    const label = listening ? 'up' : alive ? 'starting (process alive, port closed)' : 'down';
    console.log(`${name.padEnd(9)} ${label.padEnd(6)} ${address}`);
  }
  console.log(`logs      ${state.logsDir}`);
  return allUp ? 0 : 1;
}

async function main(): Promise<number> {
  if (values.help || command === undefined) {
    console.log(usage);
    return command === undefined && !values.help ? 2 : 0;
  }
  switch (command) {
    case 'up':
      await up();
      return 0;
    case 'down':
      console.log((await stopStack(dir)) ? `stack in ${dir} stopped` : `no stack in ${dir}`);
      return 0;
    case 'status':
      return status();
    case 'fetch':
      await ensureJars(kafkaVersion);
      console.log(`jars for Kafka ${kafkaVersion} and Apicurio are in place`);
      return 0;
    default:
      console.error(`unknown command ${command}\n${usage}`);
      return 2;
  }
}

main().then(
  // Exit explicitly: pooled HTTP and Kafka sockets of the ready checks would otherwise linger.
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
