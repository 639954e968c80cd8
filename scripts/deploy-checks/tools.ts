/**
 * helm and docker compose, real ones, without a Docker engine: helm is built from the Go module
 * proxy into .stack/bin when missing; compose is the docker plugin if present, else built likewise.
 */
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { attempt, commandExists, fail, ok, run } from './run.ts';

const HELM_VERSION = 'v3.16.4';
// k8s.io/client-go v0.31 in helm v3.16: the Kubernetes version `helm template` assumes, as the
// official release build sets it (helm's Makefile LDFLAGS).
const HELM_K8S_MINOR = '31';
const COMPOSE_VERSION = 'v2.32.4';

function goInstall(bin: string, ldflags: string, module: string, what: string): void {
  if (!commandExists('go')) fail(`go is needed to build ${what}`);
  process.stdout.write(`   building ${what} with go install (first run: ~2 min) ...\n`);
  const started = Date.now();
  run('go', ['install', '-trimpath', '-ldflags', ldflags, module], `go install ${module}`, {
    env: { ...process.env, GOBIN: bin, GOFLAGS: '-mod=mod' },
    show: true,
  });
  process.stdout.write(`   built ${what} in ${Math.round((Date.now() - started) / 1000)}s\n`);
}

/** The helm binary, built at the pinned version when .stack/bin lacks it. */
export function ensureHelm(bin: string): string {
  mkdirSync(bin, { recursive: true });
  const helm = join(bin, 'helm');
  if (!attempt(helm, ['version', '--short']).output.startsWith(HELM_VERSION)) {
    const k8s = (pkg: string) =>
      `-X helm.sh/helm/v3/pkg/${pkg}.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/${pkg}.k8sVersionMinor=${HELM_K8S_MINOR}`;
    goInstall(
      bin,
      `-s -w -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION} ${k8s('lint/rules')} ${k8s('chartutil')}`,
      `helm.sh/helm/v3/cmd/helm@${HELM_VERSION}`,
      `helm ${HELM_VERSION}`,
    );
  }
  ok(`helm ${attempt(helm, ['version', '--short']).output.trim()}`);
  return helm;
}

/** docker compose as a command and its leading arguments. */
export function ensureCompose(bin: string, work: string): [string, ...string[]] {
  let compose: [string, ...string[]];
  if (attempt('docker', ['compose', 'version']).ok) compose = ['docker', 'compose'];
  else {
    const built = join(bin, 'docker-compose');
    if (!attempt(built, ['version']).output.includes(COMPOSE_VERSION)) {
      if (!commandExists('go')) fail('no docker compose plugin, and go is needed to build it');
      const gobin = join(work, 'gobin');
      goInstall(
        gobin,
        `-s -w -X github.com/docker/compose/v2/internal.Version=${COMPOSE_VERSION}`,
        `github.com/docker/compose/v2/cmd@${COMPOSE_VERSION}`,
        `compose ${COMPOSE_VERSION}`,
      );
      // Copied, not renamed: the work folder may be on another filesystem.
      copyFileSync(join(gobin, 'cmd'), built);
      chmodSync(built, 0o755);
    }
    compose = [built];
  }
  const [command, ...args] = compose;
  ok(`compose: ${run(command, [...args, 'version'], 'docker compose version').split('\n')[0]}`);
  return compose;
}
