/**
 * Connector processes for the chaos run and the benchmark: started as real
 * `cxone-connector run` processes, restarted when they die (unless stopping),
 * killed, frozen and thawed on request, and never left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';

export interface InstanceOptions {
  root: string;
  configFile: string;
  logsDir: string;
  /** Evaluated at every (re)start, so a harness can change what new processes get. */
  /** The environment of instance `index`'s next start. */
  env: (index: number) => Record<string, string>;
  /** Runs before instance `index` is started again after it died (not before its first start). */
  beforeRestart?: (index: number) => void;
  restartDelayMs?: number;
  /** The entry point under root: src/cli.ts, or src/cli-crash-points.ts for a chaos run's crash points. */
  entry?: string;
}

export interface Instances {
  start(count: number): void;
  /** SIGKILL one instance (it is restarted). Returns its index, or -1 if none could be killed. */
  killRandom(random: () => number): number;
  freeze(index: number): void;
  /** SIGTERM every instance; each is started again (with the config file as it is then). */
  restartAll(): void;
  thaw(index: number): void;
  /** Deaths not caused by killRandom (crash points, failures). */
  unplannedDeaths(): number;
  plannedKills(): number;
  stopAll(signal?: NodeJS.Signals, timeoutMs?: number): Promise<void>;
  pids(): number[];
}

interface Slot {
  child: ChildProcess | undefined;
  frozen: boolean;
  killedByUs: boolean;
}

export function createInstances(options: InstanceOptions): Instances {
  const slots: Slot[] = [];
  let stopping = false;
  let unplanned = 0;
  let planned = 0;
  const live = new Set<ChildProcess>();
  const killAllSync = () => {
    for (const child of live) child.kill('SIGKILL');
  };
  process.on('exit', killAllSync);

  function launch(index: number): void {
    const slot = slots[index] as Slot;
    const log = createWriteStream(join(options.logsDir, `connector-${index}.log`), { flags: 'a' });
    const child = spawn(
      process.execPath,
      [join(options.root, options.entry ?? 'src/cli.ts'), 'run', '--config', options.configFile],
      {
        cwd: options.root,
        env: { ...process.env, ...options.env(index) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    live.add(child);
    slot.child = child;
    slot.killedByUs = false;
    child.once('exit', () => {
      live.delete(child);
      if (slot.child !== child) return;
      slot.child = undefined;
      if (stopping) return;
      if (!slot.killedByUs) unplanned++;
      setTimeout(() => {
        if (stopping) return;
        options.beforeRestart?.(index);
        launch(index);
      }, options.restartDelayMs ?? 500);
    });
  }

  return {
    start(count) {
      for (let i = 0; i < count; i++) {
        slots.push({ child: undefined, frozen: false, killedByUs: false });
        launch(i);
      }
    },
    killRandom(random) {
      const candidates = slots.map((s, i) => [s, i] as const).filter(([s]) => s.child && !s.frozen);
      const pick = candidates[Math.floor(random() * candidates.length)];
      if (!pick) return -1;
      const [slot, index] = pick;
      slot.killedByUs = true;
      slot.child?.kill('SIGKILL');
      planned++;
      return index;
    },
    restartAll() {
      for (const slot of slots) {
        if (!slot.child) continue;
        slot.killedByUs = true;
        slot.child.kill('SIGTERM');
      }
    },
    freeze(index) {
      const slot = slots[index];
      if (slot?.child) {
        slot.frozen = true;
        slot.child.kill('SIGSTOP');
      }
    },
    thaw(index) {
      const slot = slots[index];
      if (slot?.child) {
        slot.child.kill('SIGCONT');
        slot.frozen = false;
      }
    },
    unplannedDeaths: () => unplanned,
    plannedKills: () => planned,
    pids: () => slots.flatMap((s) => (s.child?.pid ? [s.child.pid] : [])),
    async stopAll(signal = 'SIGTERM', timeoutMs = 30_000) {
      stopping = true;
      const exits = [...live].map(
        (child) => new Promise<void>((resolve) => child.once('exit', () => resolve())),
      );
      for (const slot of slots) {
        if (slot.frozen) slot.child?.kill('SIGCONT');
        slot.child?.kill(signal);
      }
      const timer = setTimeout(killAllSync, timeoutMs);
      await Promise.all(exits);
      clearTimeout(timer);
      process.removeListener('exit', killAllSync);
    },
  };
}
