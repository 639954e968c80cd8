// Jars come from Maven Central through the machine's Maven (stack/pom.xml), so
// they are cached in ~/.m2 and only the first run on a machine downloads.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  APICURIO_VERSION,
  apicurioDir,
  apicurioRunnerJar,
  defaultDistDir,
  kafkaLibsDir,
  repoRoot,
  stackPom,
} from './paths.ts';

/** Throws a readable error when a tool the stack needs is not installed. */
function requireTool(tool: string, hint: string): void {
  const result = spawnSync(tool, ['-version'], { stdio: 'ignore' });
  if (result.error !== undefined) {
    throw new Error(`${tool} not found${tool.includes('/') ? '' : ' on PATH'}: ${hint}`);
  }
}

export function requireJava(javaBin = 'java'): void {
  requireTool(
    javaBin,
    'the local stack runs Kafka and Apicurio on a Java 17+ runtime (e.g. apt-get install openjdk-17-jre-headless)',
  );
}

// A marker written after Maven succeeded: an interrupted fetch leaves a
// half-filled libs folder that must not count as installed.
const kafkaMarker = (distDir: string, v: string): string => join(kafkaLibsDir(distDir, v), '..', '.complete');
const apicurioMarker = (distDir: string): string => join(apicurioDir(distDir), '.complete');

function jarsPresent(kafkaVersion: string, distDir = defaultDistDir): { kafka: boolean; apicurio: boolean } {
  return {
    kafka: existsSync(kafkaMarker(distDir, kafkaVersion)),
    apicurio: existsSync(apicurioMarker(distDir)) && existsSync(apicurioRunnerJar(distDir)),
  };
}

function runMaven(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('mvn', args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (err) => reject(new Error(`could not run mvn: ${err.message}`)));
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else
        reject(new Error(`mvn ${args.join(' ')} failed with exit code ${String(code)}:\n${output.trim()}`));
    });
  });
}

// Two processes (say, two test files) may want the jars at once; a lock
// directory keeps them from unpacking over each other.
async function withLock<T>(distDir: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(distDir, '.fetch.lock');
  await mkdir(distDir, { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      // A lock older than any real fetch was left by a killed process.
      if (age > 15 * 60_000) await rm(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      else await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/**
 * Makes sure the Kafka libs for kafkaVersion and the Apicurio archive are
 * unpacked under distDir, running Maven only for what is missing.
 */
export async function ensureJars(
  kafkaVersion: string,
  options: { distDir?: string; log?: (line: string) => void } = {},
): Promise<void> {
  const distDir = options.distDir ?? defaultDistDir;
  const log = options.log ?? ((line: string) => console.error(line));
  if (Object.values(jarsPresent(kafkaVersion, distDir)).every(Boolean)) return;
  await withLock(distDir, async () => {
    const present = jarsPresent(kafkaVersion, distDir);
    if (present.kafka && present.apicurio) return;
    requireTool('mvn', 'the local stack fetches its jars with Maven (e.g. apt-get install maven)');
    const what = [
      present.kafka ? undefined : `Kafka ${kafkaVersion}`,
      present.apicurio ? undefined : `Apicurio ${APICURIO_VERSION}`,
    ].filter((w) => w !== undefined);
    log(`fetching ${what.join(' and ')} jars from Maven Central (first run only)`);
    const major = Number.parseInt(kafkaVersion.split('.')[0] ?? '', 10);
    await runMaven([
      '-q',
      '-B',
      '-f',
      stackPom,
      `-Dkafka.version=${kafkaVersion}`,
      `-Dstack.dist=${distDir}`,
      `-Dskip.kafka=${String(present.kafka)}`,
      `-Dskip.apicurio=${String(present.apicurio)}`,
      // Kafka 4 moved from log4j 1 to log4j 2; the pom picks the matching binding.
      `-P${major >= 4 ? 'kafka-4' : 'kafka-3'}`,
      'initialize',
    ]);
    if (!present.kafka) await writeFile(kafkaMarker(distDir, kafkaVersion), `${new Date().toISOString()}\n`);
    if (!present.apicurio) await writeFile(apicurioMarker(distDir), `${new Date().toISOString()}\n`);
  });
}
