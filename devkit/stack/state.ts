// The state file lets another process (`down`, `status`, tests, the demo,
// benchmarks) find and control a stack that `up` started.
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ProcessState {
  /** Leader of the process group (the process was spawned detached). */
  pid: number;
  /** A string of its command line, checked before signalling a pid from an old state file. */
  marker: string;
  logFile: string;
}

export interface KafkaState extends ProcessState {
  version: string;
  port: number;
  controllerPort: number;
  bootstrap: string;
  /** The KRaft node id (1 for a single-node stack). */
  nodeId?: number;
  /** Everything needed to start the broker again on the same port and data. */
  command: string;
  args: string[];
  cwd: string;
}

/** The secured stack's materials (devkit/stack/security.ts): files under <dir>/security, throwaway passwords. */
export interface SecurityState {
  dir: string;
  caFile: string;
  /** A CA the broker does not trust. */
  otherCaFile: string;
  brokerCertFile: string;
  brokerKeyFile: string;
  /** Client certificate for mutual TLS; its principal is `mtlsPrincipal`. */
  clientCertFile: string;
  clientKeyFile: string;
  mtlsPrincipal: string;
  /** SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN users and their passwords. */
  users: { admin: string; connector: string; limited: string };
  oauth: { jwksFile: string; signingKeyFile: string; kid: string; audience: string; issuer: string };
  registry: { username: string; password: string; bearerToken: string };
}

export interface StackState {
  format: 1;
  dir: string;
  logsDir: string;
  startedAt: string;
  /** Node 1 (the only one of a single-node stack). */
  kafka: KafkaState;
  /** With --brokers n > 1: every node, node 1 first. */
  kafkaNodes?: KafkaState[];
  registry: ProcessState & { port: number; url: string };
  /** With --secure: the secured listeners, the registry behind nginx (TLS, basic or bearer auth). */
  secure?: {
    security: SecurityState;
    saslSslBootstrap: string;
    mtlsBootstrap: string;
    registryUrl: string;
    nginx: ProcessState & { port: number };
  };
  sim?: ProcessState & { port: number; url: string };
}

export function stateFile(dir: string): string {
  return join(dir, 'state.json');
}

export async function writeStackState(state: StackState): Promise<void> {
  // Write-then-rename: a reader never sees half a file.
  const file = stateFile(state.dir);
  await writeFile(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

/** The state of the stack in dir, or undefined when none was started there. */
export async function readStackState(dir: string): Promise<StackState | undefined> {
  let text: string;
  try {
    text = await readFile(stateFile(dir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const state = JSON.parse(text) as StackState;
  if (state.format !== 1) throw new Error(`${stateFile(dir)}: unknown format ${String(state.format)}`);
  return state;
}

export async function removeStackState(dir: string): Promise<void> {
  await rm(stateFile(dir), { force: true });
}
