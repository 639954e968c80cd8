/**
 * Checks the deployment artefacts with real tools, without a Docker engine or a Kubernetes cluster:
 *
 *   1. tools    helm (built from the Go module proxy into .stack/bin when missing) and docker
 *               compose (the plugin if present, else built likewise)
 *   2. compose  `docker compose config` resolves and validates docker-compose.yml;
 *               deploy/compose-config.yaml passes `cxone-connector validate-config`
 *   3. image    the Dockerfile's runtime stage as written, and its build and runtime stages
 *               replayed on the host (deploy-checks/image-replay.ts)
 *   4. helm     lint --strict; template with default values and with KEDA (or the HPA), PDB,
 *               ServiceMonitor, StatefulSet, audit verify, PrometheusRule and dashboard on; every
 *               rendered document parses; the ConfigMap's config.yaml passes `validate-config`;
 *               bad values are refused; every example config renders
 *
 *   node scripts/check-deploy.ts [--skip-image]      (npm run check:deploy)
 *
 * Idempotent; exits 1 on the first failure, naming it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { checkImage } from './deploy-checks/image-replay.ts';
import {
  checkDashboardConfigMap,
  checkDockerfile,
  checkSafeDefaults,
  checkScaledObject,
  checkSecuredRender,
  checkStatefulSet,
  checkVerifyCronJob,
  inspectRender,
  prometheusRuleSpec,
} from './deploy-checks/render-checks.ts';
import { attempt, CheckFailed, commandExists, fail, ok, run, step } from './deploy-checks/run.ts';
import { ensureCompose, ensureHelm } from './deploy-checks/tools.ts';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const chart = join(root, 'helm/cxone-connector');
const FEATURES = [
  '--set',
  'autoscaling.enabled=true',
  '--set',
  'podDisruptionBudget.enabled=true',
  '--set',
  'serviceMonitor.enabled=true',
  '--set',
  'replicaCount=3',
];

/** `validate-config` on a file, with the env the deployment would give it. */
function validateConfig(file: string, env: Record<string, string>): void {
  const said = run(
    process.execPath,
    [join(root, 'src/cli.ts'), 'validate-config', '--config', file],
    `validate-config rejected ${file}`,
    { env: { ...process.env, ...env }, show: true },
  );
  process.stdout.write(said);
}

function checkCompose(compose: [string, ...string[]], work: string): void {
  step('docker-compose.yml');
  const [command, ...lead] = compose;
  // An empty env file: check the file's own defaults, not the caller's .env.
  const emptyEnv = join(work, 'empty.env');
  writeFileSync(emptyEnv, '');
  const args = [...lead, '--env-file', emptyEnv, '-f', 'docker-compose.yml', 'config'];
  const resolved = run(command, args, 'docker compose config', { cwd: root });
  ok('docker compose config: valid');
  const services = run(command, [...args, '--services'], 'docker compose config --services', { cwd: root })
    .split('\n')
    .filter(Boolean)
    .sort()
    .join(' ');
  if (services !== 'connector kafka registry sim topic-init') fail(`unexpected services: ${services}`);
  ok(`services: ${services}`);
  validateConfig(join(root, 'deploy/compose-config.yaml'), {
    CXONE_CLIENT_SECRET: 'sim-secret',
    CXONE_PII_KEY: 'compose-demo-audit-pii-key-0123456789',
  });
  // The runtime stage as written: distroless (no npm, no shell), a numeric non-root user (what
  // Kubernetes' runAsNonRoot can verify), the HEALTHCHECK through the CLI, and the compose services
  // on the same command.
  ok(checkDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'), resolved));
}

function checkSbom(): void {
  step('SBOM and licences');
  run(
    process.execPath,
    [join(root, 'scripts/sbom.ts'), '--check'],
    "a shipped dependency's licence is outside the allow-list (scripts/sbom.ts)",
    { show: true },
  );
  ok("npm run sbom: every production component's licence is on the allow-list");
}

/** Lint and render with defaults and features: the kinds, the safe defaults, typos refused, the generated schema. */
function checkChartBasics(helm: string): { defaultConfig: string; featuresConfig: string } {
  step('helm chart');
  const lint = (args: string[], why: string) =>
    run(helm, ['lint', '--strict', chart, ...args], `helm lint (${why})`);
  lint([], 'defaults');
  lint(FEATURES, 'HPA, PDB, ServiceMonitor');
  lint([...FEATURES, '--set', 'autoscaling.mode=cpu'], 'CPU HPA');
  ok('helm lint --strict: defaults, KEDA+PDB+ServiceMonitor, and the CPU HPA');
  const rendered = run(helm, ['template', 'rel', chart, '--namespace', 'cxone'], 'helm template (defaults)');
  const defaults = inspectRender(
    rendered,
    'ConfigMap,Deployment,NetworkPolicy,PodDisruptionBudget,Service,ServiceAccount',
  );
  ok(defaults.said);
  if (!/^ {2}replicas: 1$/m.test(rendered)) fail('default render has no replicas: 1');
  ok(checkSafeDefaults(rendered));
  // A typo'd key anywhere the chart owns (the root, a section, the connector's config) fails helm lint --strict.
  for (const typo of [
    'replicaCountt=2',
    'podDisruptionBudget.enable=true',
    'config.kafka.brokerz=x',
    'config.observability.metricHost=x',
    'config.routes[0].journeyID=j',
  ]) {
    const result = attempt(helm, ['lint', '--strict', chart, '--set', typo]);
    if (result.ok) fail(`helm lint --strict accepted the typo ${typo}`);
    ok(
      `helm lint --strict refuses the typo ${typo}: ${/Additional property \S* is not allowed/.exec(result.output)?.[0] ?? ''}`,
    );
  }
  run(
    process.execPath,
    [join(root, 'scripts/chart-schema.ts'), '--check'],
    'values.schema.json is not what npm run chart:schema generates from the config schema: run it',
    { show: true },
  );
  ok("values.schema.json's config is generated from the zod schema (npm run chart:schema: no change)");
  const withFeatures = run(
    helm,
    ['template', 'rel', chart, '--namespace', 'cxone', ...FEATURES],
    'helm template (HPA, PDB, ServiceMonitor)',
  );
  const features = inspectRender(
    withFeatures,
    'ConfigMap,Deployment,NetworkPolicy,PodDisruptionBudget,ScaledObject,Service,ServiceAccount,ServiceMonitor',
  );
  ok(features.said);
  if (/^ {2}replicas:/m.test(withFeatures)) fail('Deployment sets replicas while KEDA owns them');
  ok('with KEDA on, the Deployment leaves replicas to it');
  return { defaultConfig: defaults.config, featuresConfig: features.config };
}

/** KEDA and the CPU HPA, the StatefulSet mode, the audit verify CronJob. */
function checkChartModes(helm: string, work: string): void {
  const template = (args: string[], why: string) =>
    run(helm, ['template', 'rel', chart, ...args], `helm template (${why})`);
  // The ScaledObject: the Kafka scaler on the group and each input topic, replicas capped at the partitions.
  ok(
    checkScaledObject(
      template(
        [
          '--set',
          'autoscaling.enabled=true',
          '--set',
          'autoscaling.maxReplicas=12',
          '--set',
          'autoscaling.inputPartitions=4',
          '--set',
          'config.kafka.inputTopics={cdp.events,cdp.orders}',
        ],
        'KEDA',
      ),
    ),
  );
  const hpa = template([...FEATURES, '--set', 'autoscaling.mode=cpu'], 'CPU HPA');
  if (!/^kind: HorizontalPodAutoscaler$/m.test(hpa))
    fail('autoscaling.mode=cpu renders no HorizontalPodAutoscaler');
  if (/^kind: ScaledObject$/m.test(hpa)) fail('autoscaling.mode=cpu also renders a ScaledObject');
  ok('autoscaling.mode=cpu: a HorizontalPodAutoscaler instead');
  run(helm, ['lint', '--strict', chart, ...FEATURES, '--set', 'mode=statefulset'], 'helm lint (statefulset)');
  ok(
    checkStatefulSet(
      template([...FEATURES, '--set', 'mode=statefulset', '--set', 'persistence.size=5Gi'], 'statefulset'),
    ),
  );
  if (
    !/^ {4}kind: StatefulSet$/m.test(
      template(
        [...FEATURES, '--set', 'mode=statefulset', '--set', 'autoscaling.mode=cpu'],
        'statefulset, CPU HPA',
      ),
    )
  )
    fail('the CPU HPA does not target the StatefulSet');
  ok('mode=statefulset with autoscaling.mode=cpu: the HPA targets the StatefulSet');
  // The audit verify CronJob: off by default; on, it runs the same image with the same config and
  // secrets as the connector, and the public key it is given.
  const signing = join(work, 'audit-signing.pem');
  const publicKey = join(work, 'audit-public.pem');
  run('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', signing], 'openssl genpkey ed25519');
  run('openssl', ['pkey', '-in', signing, '-pubout', '-out', publicKey], 'openssl pkey -pubout');
  const verify = ['--set', 'auditVerify.enabled=true', '--set-file', `auditVerify.publicKey=${publicKey}`];
  if (/^kind: CronJob$/m.test(template([], 'defaults'))) fail('the audit verify CronJob renders by default');
  run(helm, ['lint', '--strict', chart, ...verify], 'helm lint (audit verify CronJob)');
  ok(
    checkVerifyCronJob(
      template([...verify, '--set', 'auditVerify.extraArgs={--chain,cdp.events/0}'], 'audit verify CronJob'),
      publicKey,
    ),
  );
}

/** The PrometheusRule (the shipped rules, promtool-checked) and the dashboard ConfigMap. */
function checkChartMonitoring(helm: string, work: string): void {
  const same = (a: string, b: string, why: string) => {
    if (!readFileSync(join(root, a)).equals(readFileSync(join(root, b))))
      fail(`${b} differs from ${a} (${why})`);
  };
  same('deploy/prometheus/alerts.yaml', 'helm/cxone-connector/files/alerts.yaml', 'copy it over');
  run(
    helm,
    ['lint', '--strict', chart, '--set', 'prometheusRule.enabled=true'],
    'helm lint (PrometheusRule)',
  );
  const { spec, alerts } = prometheusRuleSpec(
    run(
      helm,
      ['template', 'rel', chart, '--set', 'prometheusRule.enabled=true'],
      'helm template (PrometheusRule)',
    ),
  );
  if (alerts !== 18) fail(`PrometheusRule has ${alerts} alerts`);
  ok(`PrometheusRule with the ${alerts} alerts of deploy/prometheus/alerts.yaml`);
  if (!commandExists('promtool')) fail('promtool is required (apt-get install prometheus)');
  const specFile = join(work, 'rules-spec.yaml');
  writeFileSync(specFile, stringify(spec));
  run('promtool', ['check', 'rules', specFile], "promtool check rules on the chart's PrometheusRule");
  ok("promtool check rules: the chart's PrometheusRule");
  same(
    'deploy/grafana/cxone-connector.json',
    'helm/cxone-connector/files/cxone-connector-dashboard.json',
    'copy it over',
  );
  const dashboard = run(
    helm,
    [
      'template',
      'rel',
      chart,
      '--set',
      'grafanaDashboard.enabled=true',
      '--set',
      'grafanaDashboard.folder=Kafka',
    ],
    'helm template (dashboard ConfigMap)',
  );
  ok(checkDashboardConfigMap(dashboard, join(root, 'deploy/grafana/cxone-connector.json')));
}

/** The config as the pod sees it, and bad values refused at `helm install` time, not in a crash loop. */
function checkChartValues(
  helm: string,
  work: string,
  configs: { defaultConfig: string; featuresConfig: string },
): void {
  // The secret file does not exist here, so the reference is overridden the way an operator could
  // (env beats file); POD_NAME is what the Deployment sets from the pod's name (kafka.instanceId).
  const configFile = join(work, 'config-default.yaml');
  writeFileSync(configFile, configs.defaultConfig);
  validateConfig(configFile, {
    CXONE_CONNECTOR__CXONE__AUTH__CLIENT_SECRET: 'x',
    POD_NAME: 'rel-cxone-connector-5d8f-x2b7q',
    POD_IP: '10.1.2.3',
    CXONE_CONNECTOR__AUDIT__PII_KEY: 'an-audit-key-of-32-characters-or-more',
    CXONE_CONNECTOR__OBSERVABILITY__ADMIN_TOKEN: 'an-admin-token-of-32-characters-or-more',
    CXONE_CONNECTOR__AUDIT__SIGNING_KEY: execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519'], {
      encoding: 'utf8',
    }),
  });
  if (configs.defaultConfig !== configs.featuresConfig) fail('config differs between renders');
  const refuse = (why: string, ...args: string[]) => {
    const result = attempt(helm, ['template', 'rel', chart, ...args]);
    if (result.ok) fail(`helm template accepted: ${why}`);
    // The schema's own complaint ("- path: message"), else helm's error line.
    const reason = /^- .*$/m.exec(result.output)?.[0] ?? /Error: .*/.exec(result.output)?.[0] ?? '';
    ok(`refused (${why}): ${reason.slice(0, 140)}`);
  };
  refuse('config without routes', '--set', 'config.routes=null');
  refuse('plaintext client secret in values', '--set', 'config.cxone.auth.clientSecret=hunter2');
  refuse('no existingSecret', '--set', 'cxone.existingSecret=');
  refuse('metricsPort 0', '--set', 'config.observability.metricsPort=0');
  refuse('metrics on loopback', '--set', 'config.observability.metricsHost=127.0.0.1');
  refuse('a plaintext audit key', '--set', 'config.audit.piiKey=an-audit-key-in-clear-0123456789abcdef');
  refuse("hashPii on without the key's Secret", '--set', 'audit.existingSecret=');
  refuse('an admin token without its Secret', '--set', 'adminToken.existingSecret=');
  refuse('a data-action route without actionId', '--set', 'config.routes[0].action=data-action');
  const accessKey = [
    '--set',
    'config.cxone.auth.style=access-key',
    '--set',
    'config.cxone.auth.accessKeyId=k',
  ];
  refuse('a plaintext access key secret', ...accessKey, '--set', 'config.cxone.auth.accessKeySecret=hunter2');
  run(
    helm,
    [
      'template',
      'rel',
      chart,
      ...accessKey,
      '--set',
      'config.cxone.auth.accessKeySecret=${file:/var/run/secrets/cxone/access-key-secret}',
    ],
    'helm template refused the access-key token style',
  );
  ok('the access-key token style renders');
  refuse(
    'a plaintext SASL password',
    '--set',
    'config.kafka.sasl.mechanism=scram-sha-512',
    '--set',
    'config.kafka.sasl.username=u',
    '--set',
    'config.kafka.sasl.password=hunter2',
  );
  refuse(
    'a plaintext registry password',
    '--set',
    'config.registry.username=u',
    '--set',
    'config.registry.password=hunter2',
  );
  refuse('auditVerify without its public key', '--set', 'auditVerify.enabled=true');
  refuse('a signing key without its Secret', '--set', 'auditSigning.existingSecret=');
  refuse('a plaintext signing key', '--set', 'config.audit.signingKey=not-a-reference');
}

/** Secured Kafka values, and every example config as chart values. */
function checkChartExamples(helm: string, work: string): void {
  // Secured Kafka: the SASL secret and a CA volume are mounted where the config refers to them.
  const secured = join(work, 'values-secured.yaml');
  writeFileSync(
    secured,
    stringify({
      kafka: { existingSecret: 'kafka-credentials' },
      extraVolumes: [{ name: 'kafka-tls', secret: { secretName: 'kafka-client-tls' } }],
      extraVolumeMounts: [{ name: 'kafka-tls', mountPath: '/etc/cxone-connector/tls', readOnly: true }],
      config: {
        kafka: {
          brokers: ['kafka:9093'],
          ssl: { ca: '${file:/etc/cxone-connector/tls/ca.pem}' },
          sasl: {
            mechanism: 'scram-sha-512',
            username: 'cxone-connector',
            password: '${file:/var/run/secrets/kafka/password}',
          },
        },
      },
    }),
  );
  run(helm, ['lint', '--strict', chart, '-f', secured], 'helm lint (secured Kafka values)');
  ok(
    checkSecuredRender(run(helm, ['template', 'rel', chart, '-f', secured], 'helm template (secured Kafka)')),
  );
  ok('secured Kafka: SASL secret and TLS volume mounted');
  // Every example config is a valid chart value: each renders and lints strictly (the chart sets
  // observability itself, so the example's own is left out).
  for (const example of readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.yaml'))) {
    const name = basename(example, '.yaml');
    const config = parse(readFileSync(join(root, 'examples', example), 'utf8')) as Record<string, unknown>;
    delete config.observability;
    const values = join(work, `values-${name}.yaml`);
    writeFileSync(values, stringify({ config }));
    run(helm, ['lint', '--strict', chart, '-f', values], `helm lint --strict with examples/${name}.yaml`);
    run(
      helm,
      ['template', 'rel', chart, '--namespace', 'cxone', '-f', values],
      `helm template with examples/${name}.yaml`,
    );
  }
  ok('every examples/*.yaml renders through the chart and passes helm lint --strict');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'skip-image': { type: 'boolean', default: false } } });
  const work = mkdtempSync(join(tmpdir(), 'check-deploy-'));
  try {
    step('tools');
    const bin = join(root, '.stack/bin');
    const helm = ensureHelm(bin);
    const compose = ensureCompose(bin, work);
    checkCompose(compose, work);
    if (values['skip-image']) step('image stages: skipped (--skip-image)');
    else await checkImage(root, work);
    checkSbom();
    const configs = checkChartBasics(helm);
    checkChartModes(helm, work);
    checkChartMonitoring(helm, work);
    checkChartValues(helm, work, configs);
    checkChartExamples(helm, work);
    process.stdout.write('\nall deployment checks passed\n');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  if (!(error instanceof CheckFailed)) throw error;
  process.stderr.write(`   FAIL: ${error.message}\n`);
  process.exitCode = 1;
});
