// Apicurio Registry 2.6 (Java 17), in-memory storage, serving the Confluent
// compatible API ("ccompat") that @kafkajs/confluent-schema-registry speaks.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { apicurioRunnerJar } from './paths.ts';
import { spawnDetached, type SpawnedProcess, waitUntil } from './processes.ts';

export function registryUrl(port: number): string {
  return `http://127.0.0.1:${port}/apis/ccompat/v7`;
}

export function registryMarker(port: number): string {
  return `-Dquarkus.http.port=${port}`;
}

export async function launchRegistry(options: {
  distDir: string;
  home: string;
  logFile: string;
  port: number;
  javaBin: string;
}): Promise<SpawnedProcess> {
  // cwd is its own folder: the embedded transaction manager writes files to the working directory.
  await mkdir(options.home, { recursive: true });
  const args = [
    '-Xmx384m',
    '-XX:+UseSerialGC',
    '-Djava.awt.headless=true',
    '-Dquarkus.http.host=127.0.0.1',
    registryMarker(options.port),
    // Nothing else may listen: no management port, and the embedded
    // transaction manager (Narayana) would otherwise bind a loopback socket
    // on a random port just to derive a process id.
    '-Dquarkus.management.enabled=false',
    '-DCoreEnvironmentBean.processImplementationClassName=com.arjuna.ats.internal.arjuna.utils.UuidProcessId',
    `-DObjectStoreEnvironmentBean.objectStoreDir=${join(options.home, 'ObjectStore')}`,
    '-jar',
    apicurioRunnerJar(options.distDir),
  ];
  return spawnDetached(options.javaBin, args, {
    cwd: options.home,
    logFile: options.logFile,
    // Apicurio also reads these from the environment; make sure a stray one does not redirect it.
    env: {
      ...process.env,
      HTTP_PORT: String(options.port),
      REGISTRY_DATASOURCE_URL: 'jdbc:h2:mem:registry_db',
    },
  });
}

async function registryWorks(url: string): Promise<boolean> {
  const response = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(2000) });
  await response.body?.cancel();
  return response.status === 200;
}

export async function waitRegistryReady(
  url: string,
  options: { timeoutMs: number; logFile: string; pid: number; exited?: Promise<string> },
): Promise<void> {
  await waitUntil('Apicurio Registry', () => registryWorks(url), options);
}
