// Where the stack's files live. The jars are shared by every stack directory
// (tests start stacks in temp dirs), so they stay under the repo's .stack/dist.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const defaultStackDir = join(repoRoot, '.stack');
export const defaultDistDir = join(defaultStackDir, 'dist');
export const stackPom = join(repoRoot, 'stack', 'pom.xml');

export const DEFAULT_KAFKA_VERSION = '3.9.2';
export const APICURIO_VERSION = '2.6.13.Final';

export function kafkaLibsDir(distDir: string, kafkaVersion: string): string {
  return join(distDir, `kafka-${kafkaVersion}`, 'libs');
}

export function apicurioDir(distDir: string): string {
  return join(distDir, `apicurio-${APICURIO_VERSION}`);
}

export function apicurioRunnerJar(distDir: string): string {
  return join(apicurioDir(distDir), `apicurio-registry-app-${APICURIO_VERSION}-runner.jar`);
}
