// The local real stack: Kafka (KRaft, single node) + Apicurio Registry, and
// optionally the CXone simulator, all on 127.0.0.1 and free ports.
import { readFileSync, rmSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ensureJars, requireJava } from './jars.ts';
import { launchKafka, newClusterId, prepareKafka, waitKafkaReady } from './kafka.ts';
import { DEFAULT_KAFKA_VERSION, defaultDistDir, defaultStackDir, repoRoot } from './paths.ts';
import { freePorts } from './ports.ts';
import { commandLineContains, isGroupAlive, killGroup, type SpawnedProcess, stopGroup } from './processes.ts';
import { launchRegistry, registryMarker, registryUrl, waitRegistryReady } from './registry.ts';
import { launchNginx, secureRegistryUrl, waitNginxReady } from './nginx.ts';
import { makeSecurity } from './security.ts';
import { launchSim, simUrl, waitSimReady } from './sim.ts';
import {
  type KafkaState,
  type ProcessState,
  readStackState,
  type SecurityState,
  removeStackState,
  type StackState,
  stateFile,
  writeStackState,
} from './state.ts';

export { ensureJars } from './jars.ts';
export { readStackState, type SecurityState, type StackState } from './state.ts';
export { DEFAULT_KAFKA_VERSION, defaultStackDir } from './paths.ts';

export interface StackOptions {
  /** Folder for config, data, logs and state.json; default `<repo>/.stack`. */
  dir?: string;
  /** Default 3.9.2; any version stack/pom.xml can fetch (e.g. 4.1.1). */
  kafkaVersion?: string;
  /** Where the jars are unpacked; default `<repo>/.stack/dist`, shared by all stack dirs. */
  distDir?: string;
  /** Default `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java`. */
  javaBin?: string;
  /** Starts the CXone simulator too; see sim.ts for how the port is passed. */
  sim?: { command: string[]; cwd?: string };
  /** Per part; default 60s. */
  readyTimeoutMs?: number;
  /**
   * false (default): the stack belongs to this process and is killed when it
   * exits. true: it outlives this process (`stack up`); stop it with `down`.
   */
  detached?: boolean;
  kafkaHeap?: string;
  log?: (line: string) => void;
  /**
   * Adds a SASL_SSL and an mTLS listener with the StandardAuthorizer (ACLs enforced; SCRAM users
   * admin, connector and limited), and the registry behind nginx with TLS and basic or bearer auth.
   */
  secure?: boolean;
  /** Kafka nodes (combined broker + controller); default 1. With 3: replication factor 3, min ISR 2. */
  brokers?: number;
}

export interface StackHandle {
  dir: string;
  /** `bootstrap` is node 1's address; `brokers` every node's, for clients that must survive any one down. */
  kafka: { bootstrap: string; brokers: string[]; port: number; version: string; nodes: number[] };
  registry: { url: string; port: number };
  sim?: { url: string; port: number };
  secure?: SecureEndpoints;
  logsDir: string;
  /** Stops every part (SIGTERM, SIGKILL after a grace period) and removes state.json. */
  stop(): Promise<void>;
  /** SIGTERM: a graceful broker shutdown. */
  stopKafka(): Promise<void>;
  /** SIGKILL: a broker crash. */
  killKafka(): Promise<void>;
  /** Starts the broker again on the same ports and data, and waits until it is ready. */
  startKafka(): Promise<void>;
  /** One node of a cluster: SIGKILL, and start again (ready when the whole cluster is). */
  killBroker(nodeId: number): Promise<void>;
  startBroker(nodeId: number): Promise<void>;
}

export interface SecureEndpoints {
  saslSslBootstrap: string;
  mtlsBootstrap: string;
  /** https, through nginx; needs the CA and basic or bearer auth. */
  registryUrl: string;
  security: SecurityState;
}

const STOP_GRACE_MS = 30_000;

function defaultJava(): string {
  const javaHome = process.env['JAVA_HOME'];
  return javaHome ? join(javaHome, 'bin', 'java') : 'java';
}

/** Every Kafka node of a stack (state.kafka alone for a single node). */
function kafkaNodes(state: StackState): KafkaState[] {
  return state.kafkaNodes ?? [state.kafka];
}

function alive(p: ProcessState): boolean {
  return isGroupAlive(p.pid) && commandLineContains(p.pid, p.marker);
}

async function stopPart(p: ProcessState | undefined): Promise<void> {
  if (p !== undefined && alive(p)) await stopGroup(p.pid, STOP_GRACE_MS);
}

/** Whether each part of a stack is running. */
export function stackHealth(state: StackState): {
  kafka: boolean;
  registry: boolean;
  sim?: boolean;
  nginx?: boolean;
} {
  return {
    kafka: kafkaNodes(state).every(alive),
    registry: alive(state.registry),
    ...(state.sim ? { sim: alive(state.sim) } : {}),
    ...(state.secure ? { nginx: alive(state.secure.nginx) } : {}),
  };
}

/** Stops the stack that state.json in dir describes; false if there was none. */
export async function stopStack(dir: string = defaultStackDir): Promise<boolean> {
  const state = await readStackState(resolve(dir));
  if (state === undefined) return false;
  await Promise.all([
    stopPart(state.sim),
    stopPart(state.secure?.nginx),
    stopPart(state.registry),
    ...kafkaNodes(state).map(stopPart),
  ]);
  await removeStackState(state.dir);
  return true;
}

// The last resort for stacks owned by this process: exit handlers must be
// synchronous, so this SIGKILLs instead of waiting for a graceful shutdown.
const owned = new Set<string>();
function killOwnedSync(): void {
  for (const dir of owned) {
    try {
      const state = JSON.parse(readFileSync(stateFile(dir), 'utf8')) as StackState;
      for (const p of [state.sim, state.secure?.nginx, state.registry, ...kafkaNodes(state)]) {
        if (p !== undefined && alive(p)) process.kill(-p.pid, 'SIGKILL');
      }
      rmSync(stateFile(dir), { force: true });
    } catch {
      // Nothing more can be done while the process exits.
    }
  }
  owned.clear();
}
function onSignal(signal: NodeJS.Signals): void {
  // If someone else listens too, they own the shutdown (and 'exit' still backs them up).
  if (process.listenerCount(signal) > 1) return;
  killOwnedSync();
  process.removeListener(signal, onSignal);
  process.kill(process.pid, signal);
}
function own(dir: string): void {
  if (owned.size === 0) {
    process.on('exit', killOwnedSync);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  owned.add(dir);
}
function disown(dir: string): void {
  owned.delete(dir);
  if (owned.size === 0) {
    process.removeListener('exit', killOwnedSync);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** A handle on the stack described by state.json in dir, e.g. one started by `stack up` in another process. */
export async function connectStack(
  dir: string = defaultStackDir,
  options: { readyTimeoutMs?: number } = {},
): Promise<StackHandle> {
  const state = await readStackState(resolve(dir));
  if (state === undefined)
    throw new Error(`no stack in ${resolve(dir)} (no state.json); start one with \`npm run stack:up\``);
  return handleFor(state, options.readyTimeoutMs ?? 60_000);
}

function handleFor(state: StackState, readyTimeoutMs: number): StackHandle {
  const handle: StackHandle = {
    dir: state.dir,
    kafka: {
      bootstrap: state.kafka.bootstrap,
      brokers: kafkaNodes(state).map((n) => n.bootstrap),
      port: state.kafka.port,
      version: state.kafka.version,
      nodes: kafkaNodes(state).map((n) => n.nodeId ?? 1),
    },
    registry: { url: state.registry.url, port: state.registry.port },
    ...(state.sim ? { sim: { url: state.sim.url, port: state.sim.port } } : {}),
    ...(state.secure
      ? {
          secure: {
            saslSslBootstrap: state.secure.saslSslBootstrap,
            mtlsBootstrap: state.secure.mtlsBootstrap,
            registryUrl: state.secure.registryUrl,
            security: state.secure.security,
          },
        }
      : {}),
    logsDir: state.logsDir,
    async stop() {
      await stopStack(state.dir);
      disown(state.dir);
    },
    async stopKafka() {
      await Promise.all(
        kafkaNodes(state)
          .filter(alive)
          .map((n) => stopGroup(n.pid, STOP_GRACE_MS)),
      );
    },
    async killKafka() {
      await Promise.all(
        kafkaNodes(state)
          .filter(alive)
          .map((n) => killGroup(n.pid)),
      );
    },
    async startKafka() {
      await Promise.all(kafkaNodes(state).map((n) => startNode(n)));
    },
    async killBroker(nodeId) {
      const node = nodeById(nodeId);
      if (alive(node)) await killGroup(node.pid);
    },
    async startBroker(nodeId) {
      await startNode(nodeById(nodeId));
    },
  };
  function nodeById(nodeId: number): KafkaState {
    const node = kafkaNodes(state).find((n) => (n.nodeId ?? 1) === nodeId);
    if (!node) throw new Error(`no Kafka node ${nodeId} in this stack`);
    return node;
  }
  async function startNode(node: KafkaState): Promise<void> {
    if (alive(node))
      throw new Error(
        `Kafka node ${node.nodeId ?? 1} is still running (pid ${node.pid}); stop or kill it first`,
      );
    const started = launchKafka(node);
    node.pid = started.pid;
    await writeStackState(state);
    await waitKafkaReady([node.bootstrap], kafkaNodes(state).length, {
      timeoutMs: readyTimeoutMs,
      logFile: node.logFile,
      pid: started.pid,
      exited: started.exited,
    });
  }
  return handle;
}

/**
 * Starts a fresh stack (empty Kafka, empty registry) in options.dir and
 * resolves once every part answers real requests.
 */
export async function startStack(options: StackOptions = {}): Promise<StackHandle> {
  const dir = resolve(options.dir ?? defaultStackDir);
  const distDir = resolve(options.distDir ?? defaultDistDir);
  const kafkaVersion = options.kafkaVersion ?? DEFAULT_KAFKA_VERSION;
  const javaBin = options.javaBin ?? defaultJava();
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const log = options.log ?? ((line: string) => console.error(line));

  const previous = await readStackState(dir);
  if (previous !== undefined) {
    const health = stackHealth(previous);
    if (Object.values(health).some(Boolean)) {
      throw new Error(
        `a stack is already running in ${dir} (see ${stateFile(dir)}); stop it first with \`npm run stack:down\``,
      );
    }
    await removeStackState(dir);
  }

  requireJava(javaBin);
  await ensureJars(kafkaVersion, { distDir, log });

  const logsDir = join(dir, 'logs');
  const kafkaHome = join(dir, 'kafka');
  const registryHome = join(dir, 'registry');
  // Fresh data on every start: tests and demos should not see the last run's topics.
  await rm(kafkaHome, { recursive: true, force: true });
  await rm(registryHome, { recursive: true, force: true });
  await mkdir(logsDir, { recursive: true });
  const logFiles = {
    kafka: join(logsDir, 'kafka.log'),
    registry: join(logsDir, 'registry.log'),
    sim: join(logsDir, 'sim.log'),
    nginx: join(logsDir, 'nginx.log'),
  };
  await Promise.all(Object.values(logFiles).map((f) => writeFile(f, '')));

  const nodes = options.brokers ?? 1;
  if (nodes < 1 || nodes > 5) throw new Error(`brokers must be 1 to 5, not ${nodes}`);
  if (nodes > 1 && options.secure) throw new Error('--secure runs on a single broker; leave out --brokers');
  const ports = await freePorts(7 + 2 * (nodes - 1));
  const [kafkaPort, controllerPort, registryPort, simPort, saslSslPort, mtlsPort, nginxPort] = ports;
  const extraPorts = ports.slice(7);
  if (
    ports.length < 7 + 2 * (nodes - 1) ||
    kafkaPort === undefined ||
    controllerPort === undefined ||
    registryPort === undefined ||
    simPort === undefined ||
    saslSslPort === undefined ||
    mtlsPort === undefined ||
    nginxPort === undefined
  ) {
    throw new Error('could not pick free ports');
  }
  const security = options.secure ? await makeSecurity(join(dir, 'security')) : undefined;

  // Node 1 on the first ports (and in state.kafka, as a single-node stack has it); nodes 2… after.
  const nodePorts = [
    { port: kafkaPort, controllerPort },
    ...Array.from({ length: nodes - 1 }, (_, i) => ({
      port: extraPorts[2 * i] ?? 0,
      controllerPort: extraPorts[2 * i + 1] ?? 0,
    })),
  ];
  const voters = nodePorts.map((p, i) => `${i + 1}@127.0.0.1:${p.controllerPort}`).join(',');
  const clusterId = newClusterId();
  const kafkaStates: KafkaState[] = [];
  for (const [i, { port, controllerPort: cport }] of nodePorts.entries()) {
    const nodeId = i + 1;
    const home = nodes === 1 ? kafkaHome : join(kafkaHome, `node-${nodeId}`);
    const logFile = nodes === 1 ? logFiles.kafka : join(logsDir, `kafka-${nodeId}.log`);
    if (nodes > 1) await writeFile(logFile, '');
    const { command, args } = await prepareKafka(
      {
        version: kafkaVersion,
        distDir,
        home,
        logFile,
        port,
        controllerPort: cport,
        javaBin,
        // Three JVMs on a small machine: smaller heaps each.
        heap: options.kafkaHeap ?? (nodes === 1 ? '512m' : '384m'),
        nodeId,
        voters,
        nodes,
        ...(security ? { secure: { saslSslPort, mtlsPort, security } } : {}),
      },
      clusterId,
    );
    kafkaStates.push({
      pid: 0,
      marker: args.at(-1) ?? '',
      logFile,
      version: kafkaVersion,
      port,
      controllerPort: cport,
      bootstrap: `127.0.0.1:${port}`,
      command,
      args,
      cwd: home,
      nodeId,
    });
  }
  const state: StackState = {
    format: 1,
    dir,
    logsDir,
    startedAt: new Date().toISOString(),
    kafka: kafkaStates[0] as KafkaState,
    ...(nodes > 1 ? { kafkaNodes: kafkaStates } : {}),
    registry: {
      pid: 0,
      marker: registryMarker(registryPort),
      logFile: logFiles.registry,
      port: registryPort,
      url: registryUrl(registryPort),
    },
    ...(security
      ? {
          secure: {
            security,
            saslSslBootstrap: `127.0.0.1:${saslSslPort}`,
            mtlsBootstrap: `127.0.0.1:${mtlsPort}`,
            registryUrl: secureRegistryUrl(nginxPort),
            nginx: { pid: 0, marker: join(dir, 'nginx'), logFile: logFiles.nginx, port: nginxPort },
          },
        }
      : {}),
  };

  // Owned from the first spawn on, so a failure half-way leaves nothing behind.
  if (options.detached !== true) own(dir);
  try {
    const launched = kafkaNodes(state).map((node) => {
      const started = launchKafka(node);
      node.pid = started.pid;
      return started;
    });
    const kafka = launched[0] as SpawnedProcess;
    await writeStackState(state);
    const registry = await launchRegistry({
      distDir,
      home: registryHome,
      logFile: logFiles.registry,
      port: registryPort,
      javaBin,
    });
    state.registry.pid = registry.pid;
    await writeStackState(state);
    let nginx;
    if (state.secure) {
      nginx = await launchNginx({
        home: join(dir, 'nginx'),
        logFile: logFiles.nginx,
        port: nginxPort,
        upstreamPort: registryPort,
        security: state.secure.security,
      });
      state.secure.nginx.pid = nginx.pid;
      await writeStackState(state);
    }
    let sim;
    if (options.sim !== undefined) {
      sim = launchSim({
        command: options.sim.command,
        cwd: options.sim.cwd ?? repoRoot,
        logFile: logFiles.sim,
        port: simPort,
      });
      state.sim = {
        pid: sim.pid,
        marker: `${simPort}`,
        logFile: logFiles.sim,
        port: simPort,
        url: simUrl(simPort),
      };
      await writeStackState(state);
    }
    // The JVMs start in parallel; the checks only wait.
    await Promise.all([
      waitKafkaReady(
        kafkaNodes(state).map((n) => n.bootstrap),
        kafkaNodes(state).length,
        {
          timeoutMs: readyTimeoutMs,
          logFile: logFiles.kafka,
          pid: kafka.pid,
          exited: kafka.exited,
        },
      ),
      waitRegistryReady(state.registry.url, {
        timeoutMs: readyTimeoutMs,
        logFile: logFiles.registry,
        pid: registry.pid,
        exited: registry.exited,
      }),
      ...(nginx && state.secure
        ? [
            waitNginxReady(state.secure.registryUrl, {
              timeoutMs: readyTimeoutMs,
              logFile: logFiles.nginx,
              pid: nginx.pid,
              exited: nginx.exited,
            }),
          ]
        : []),
      ...(sim && state.sim
        ? [
            waitSimReady(state.sim.url, {
              timeoutMs: readyTimeoutMs,
              logFile: logFiles.sim,
              pid: sim.pid,
              exited: sim.exited,
            }),
          ]
        : []),
    ]);
  } catch (err) {
    await stopStack(dir).catch(() => undefined);
    disown(dir);
    throw err;
  }
  return handleFor(state, readyTimeoutMs);
}
