/**
 * A real Prometheus (the machine's `prometheus`, from Debian's package) on a
 * free loopback port, scraping the given targets every second and loading the
 * given rule files: what the dashboard and alert tests query.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePorts } from './stack/ports.ts';

export interface PrometheusServer {
  url: string;
  /** An instant query; the result vector (empty when the expression matches no series). */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Each rule's health after evaluation: `ok`, or `err` with its lastError. */
  rules(): Promise<{ name: string; health: string; lastError?: string; state?: string }[]>;
  /** Number of successful scrapes of `job` so far (its `up` samples equal to 1 over the last 10 minutes). */
  scrapes(job: string): Promise<number>;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  job: string;
  targets: string[];
  ruleFiles?: string[];
  binary?: string;
}

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'cxone-prometheus-'));
  const [port] = await freePorts(1);
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: options.ruleFiles ?? [],
    scrape_configs: [{ job_name: options.job, static_configs: [{ targets: options.targets }] }],
  };
  writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config));
  let output = '';
  const child: ChildProcess = spawn(
    options.binary ?? 'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnFailed = new Promise<never>((_, reject) =>
    child.once('error', (error) =>
      reject(new Error(`cannot run prometheus (install Debian's prometheus package): ${error.message}`)),
    ),
  );
  const url = `http://127.0.0.1:${port}`;

  async function api<T>(path: string): Promise<T> {
    const response = await fetch(`${url}${path}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? response.status}`);
    return body.data;
  }

  const ready = (async () => {
    for (let i = 0; i < 300; i++) {
      if (child.exitCode !== null) throw new Error(`prometheus exited: ${output}`);
      const ok = await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await sleep(100);
    }
    throw new Error(`prometheus not ready after 30 s: ${output}`);
  })();
  try {
    await Promise.race([ready, spawnFailed]);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  async function query(expr: string) {
    const data = await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
      `/api/v1/query?query=${encodeURIComponent(expr)}`,
    );
    return data.result;
  }

  return {
    url,
    query,
    async rules() {
      const data = await api<{
        groups: { rules: { name: string; health: string; lastError?: string; state?: string }[] }[];
      }>('/api/v1/rules');
      return data.groups.flatMap((g) => g.rules);
    },
    async scrapes(job) {
      const ok = await query(`sum_over_time(up{job="${job}"}[10m])`);
      return Number(ok[0]?.value[1] ?? 0);
    },
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
