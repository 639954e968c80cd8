/**
 * One connector process of a benchmark run: its config file (bench-config.ts),
 * the node flags a memory-limited container would give it, its log file, and
 * a stop that drains with SIGTERM (SIGKILL after a minute).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StackHandle } from '../../devkit/stack/index.ts';
import { freePorts } from '../../devkit/stack/ports.ts';
import { benchConfig, type BenchMode } from './bench-config.ts';

export interface BenchConnector {
  child: ChildProcess;
  metricsPort: number;
  /** Its stdout and stderr. */
  logFile: string;
  stop(): Promise<void>;
}

/** What a run knows that its connectors need. */
export interface ConnectorHost {
  stack: StackHandle;
  runId: string;
  input: string;
  opt: { profile: boolean; heapMb: number };
}

const root = new URL('../..', import.meta.url).pathname;

export async function startConnector(
  context: ConnectorHost,
  mode: BenchMode,
  name: string,
  overrides: {
    input?: string;
    requestsPerSecond?: number;
    group?: string;
    extra?: Record<string, unknown>;
  } = {},
): Promise<BenchConnector> {
  const [metricsPort] = (await freePorts(1)) as [number];
  const file = join(context.stack.logsDir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      benchConfig({
        mode,
        name: `${context.runId}-${overrides.group ?? name}`,
        bootstrap: context.stack.kafka.bootstrap,
        registry: context.stack.registry.url,
        sim: context.stack.sim?.url ?? '',
        input: overrides.input ?? context.input,
        metricsPort,
        ...(overrides.requestsPerSecond === undefined
          ? {}
          : { requestsPerSecond: overrides.requestsPerSecond }),
        ...(overrides.extra ? { extra: overrides.extra } : {}),
      }),
    ),
  );
  // The product as shipped: the compiled dist/ the image runs (npm run bench builds it first).
  const entry = mode === 'ceiling' ? join(root, 'bench/lib/ceiling-connector.ts') : join(root, 'dist/cli.js');
  const args = mode === 'ceiling' ? [entry, '--config', file] : [entry, 'run', '--config', file];
  const profiling = context.opt.profile
    ? ['--cpu-prof', `--cpu-prof-dir=${join(context.stack.logsDir, `${name}-profile`)}`]
    : [];
  const child = spawn(process.execPath, [...connectorNodeFlags(context.opt.heapMb), ...profiling, ...args], {
    cwd: root,
    env: { ...process.env, CXONE_CLIENT_SECRET: 'sim-secret' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logFile = join(context.stack.logsDir, `${name}.log`);
  const log = createWriteStream(logFile);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    metricsPort,
    logFile,
    async stop() {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** The flags the connector runs with here: the image's, plus the heap a memory-limited container would give it. */
export function connectorNodeFlags(heapMb: number): string[] {
  const extra = process.env.BENCH_NODE_FLAGS;
  return [
    ...(extra !== undefined
      ? extra.split(' ').filter(Boolean)
      : ['--max-semi-space-size=16', `--max-old-space-size=${heapMb}`]),
  ];
}

export async function waitReady(metricsPort: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(`http://127.0.0.1:${metricsPort}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await sleep(100);
  }
  throw new Error('the connector did not become ready in 60 s');
}
