/**
 * The Dockerfile's build and runtime stages replayed on the host, without a Docker engine:
 * npm ci --ignore-scripts + npm run build; npm ci --omit=dev with only dist/ (no simulator, no crash
 * points), schemas/, examples/, package.json; then the CLI runs as the image runs it (version,
 * validate-config, the output schemas, the sim stage answering, the HEALTHCHECK both ways).
 */
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { attempt, fail, ok, run, step } from './run.ts';

const NPM_FLAGS = ['--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];
const IMAGE_NODE_OPTIONS = '--enable-source-maps --max-semi-space-size=16 --max-old-space-size=192';

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

const copy = (root: string, names: readonly string[], into: string): void => {
  for (const name of names) cpSync(join(root, name), join(into, name), { recursive: true });
};

/** The build stage (dist/ and dist-runtime/) and the runtime stage's folder. */
function replayStages(root: string, work: string, env: NodeJS.ProcessEnv): { build: string; app: string } {
  const dockerignore = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
  for (const f of ['package.json', 'package-lock.json', 'vendor/'])
    if (!dockerignore.includes(`!${f}`)) fail(`.dockerignore does not let ${f} in`);
  const build = join(work, 'build');
  const app = join(work, 'app');
  mkdirSync(build, { recursive: true });
  mkdirSync(app, { recursive: true });
  copy(
    root,
    ['package.json', 'package-lock.json', 'vendor', 'tsconfig.json', 'tsconfig.build.json', 'src'],
    build,
  );
  run('npm', ['ci', ...NPM_FLAGS], 'build stage: npm ci', { cwd: build, env });
  run('npm', ['run', '--silent', 'build'], 'build stage: npm run build', { cwd: build, env });
  ok('build stage: npm ci --ignore-scripts && npm run build');
  copy(root, ['package.json', 'package-lock.json', 'vendor'], app);
  run('npm', ['ci', '--omit=dev', ...NPM_FLAGS], 'runtime stage: npm ci --omit=dev', { cwd: app, env });
  if (realpathSync(join(app, 'node_modules/kafkajs')) !== realpathSync(join(app, 'vendor/kafkajs')))
    fail('runtime stage: node_modules/kafkajs is not the vendored fork');
  if (
    !readFileSync(join(app, 'node_modules/kafkajs/src/consumer/filterAbortedMessages.js'), 'utf8').includes(
      'cxone-connector fork',
    )
  )
    fail('runtime stage: node_modules/kafkajs is not the fork');
  // The build stage's dist-runtime/: dist/ without the simulator and the crash-point entry.
  const runtime = join(build, 'dist-runtime');
  cpSync(join(build, 'dist'), runtime, { recursive: true });
  for (const file of readdirSync(join(runtime, 'sim'), { recursive: true, withFileTypes: true })) {
    if (file.isFile() && !file.name.startsWith('cli-options.')) rmSync(join(file.parentPath, file.name));
  }
  for (const file of readdirSync(runtime))
    if (file.startsWith('cli-crash-points.')) rmSync(join(runtime, file));
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  if (
    !dockerfile.includes("find dist-runtime/sim -type f ! -name 'cli-options.*' -delete") ||
    !dockerfile.includes('rm -f dist-runtime/cli-crash-points') ||
    !/^COPY --from=build \/app\/dist-runtime \.\/dist$/m.test(dockerfile)
  )
    fail("the Dockerfile's runtime stage does not take dist-runtime/ as this replay builds it");
  cpSync(runtime, join(app, 'dist'), { recursive: true });
  copy(root, ['schemas', 'examples'], app);
  ok(
    'runtime stage: npm ci --omit=dev (kafkajs: the vendor/kafkajs workspace) + dist/ (no simulator, no crash points) schemas/ examples/ package.json',
  );
  return { build, app };
}

/** The runtime layout holds no test hook, and runs as the image does. */
function checkRuntime(app: string, work: string, env: NodeJS.ProcessEnv): void {
  const node = (args: string[], why: string, extra: NodeJS.ProcessEnv = {}): string =>
    run('node', args, why, {
      cwd: app,
      env: { ...env, NODE_ENV: 'production', NODE_OPTIONS: IMAGE_NODE_OPTIONS, ...extra },
    });
  if (['dist/cli-crash-points.js', 'dist/sim/server.js'].some((file) => existsSync(join(app, file))))
    fail('runtime stage: dist/ holds the simulator or the crash-point entry');
  if (attempt('grep', ['-rq', 'CXONE_CONNECTOR_TEST_CRASH_POINTS', join(app, 'dist')]).ok)
    fail('runtime stage: dist/ still reads CXONE_CONNECTOR_TEST_CRASH_POINTS');
  const noSim = attempt('node', ['dist/cli.js', 'sim', '--port', '0'], { cwd: app, env });
  if (noSim.ok) fail('runtime stage: sim ran without the simulator');
  if (!noSim.output.includes('the CXone simulator is not in this build')) {
    process.stderr.write(noSim.output);
    fail('runtime stage: sim does not say where the simulator is');
  }
  ok(
    'runtime stage: no simulator (sim says to use the sim image), no crash points (nothing reads CXONE_CONNECTOR_TEST_CRASH_POINTS)',
  );
  ok(`node dist/cli.js version: ${node(['dist/cli.js', 'version'], 'node dist/cli.js version').trim()}`);
  node(
    ['dist/cli.js', 'validate-config', '--config', 'examples/journey-trigger.yaml'],
    'validate-config in the runtime layout',
    {
      CXONE_CLIENT_ID: 'id',
      CXONE_CLIENT_SECRET: 's',
      CXONE_PII_KEY: 'an-audit-key-of-32-characters-or-more',
    },
  );
  // The output schemas are read from <root>/schemas relative to dist/output/.
  const probe = join(work, 'schemas-probe.mjs');
  writeFileSync(
    probe,
    `const m = await import(${JSON.stringify(join(app, 'dist/output/output-schemas.js'))});
for (const n of ['cxone-result', 'cxone-audit', 'cxone-dedup-entry']) JSON.parse(m.readSchemaFile(n));`,
  );
  node([probe], 'schemas/ not readable from dist/output');
  ok('dist/output reads schemas/cxone-result.avsc, schemas/cxone-audit.avsc, schemas/cxone-dedup-entry.avsc');
}

/** The sim stage (the runtime's node_modules with the whole dist/) answers, and the HEALTHCHECK says so. */
async function checkSimStage(
  build: string,
  app: string,
  root: string,
  work: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const simApp = join(work, 'sim-app');
  mkdirSync(simApp, { recursive: true });
  cpSync(join(build, 'dist'), join(simApp, 'dist'), { recursive: true });
  symlinkSync(join(app, 'node_modules'), join(simApp, 'node_modules'));
  cpSync(join(app, 'package.json'), join(simApp, 'package.json'));
  copy(root, ['vendor', 'schemas'], simApp);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/_sim/stats`;
  const sim = spawn('node', ['dist/cli.js', 'sim', '--host', '127.0.0.1', '--port', String(port)], {
    cwd: simApp,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let said = '';
  sim.stderr.on('data', (chunk: Buffer) => (said += chunk.toString()));
  const answers = async (): Promise<boolean> => (await fetch(url).catch(() => undefined))?.ok === true;
  try {
    for (let i = 0; i < 50 && !(await answers()); i++) {
      if (sim.exitCode !== null) fail(`sim exited: ${said}`);
      await sleep(200);
    }
    if (!(await answers())) fail(`sim did not answer GET /_sim/stats: ${said}`);
    ok('sim stage: node dist/cli.js sim: GET /_sim/stats 200');
    // The image's HEALTHCHECK command, against the live simulator and then against nothing.
    if (!attempt('node', ['dist/cli.js', 'health', '--url', url], { cwd: app, env }).ok)
      fail('dist/cli.js health: exit non-zero against a live endpoint');
  } finally {
    sim.kill();
  }
  await new Promise((resolve) => (sim.exitCode === null ? sim.once('exit', resolve) : resolve(undefined)));
  if (attempt('node', ['dist/cli.js', 'health', '--url', url], { cwd: app, env }).ok)
    fail('dist/cli.js health: exit 0 with nothing listening');
  ok("node dist/cli.js health (the image's HEALTHCHECK): 0 when the endpoint answers, 1 when it does not");
}

export async function checkImage(root: string, work: string): Promise<void> {
  step('Dockerfile stages, replayed on the host');
  // The image's Node is on PATH first, as in node:24-slim; with --ignore-scripts the `node`
  // devDependency installs no binary of its own.
  const env = { ...process.env, PATH: `${join(root, 'node_modules/node/bin')}:${process.env.PATH ?? ''}` };
  const { build, app } = replayStages(root, work, env);
  checkRuntime(app, work, env);
  await checkSimStage(build, app, root, work, env);
}
