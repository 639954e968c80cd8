/**
 * What the rendered chart (and the Dockerfile and compose file) must say: each function takes the
 * text a real tool produced, throws CheckFailed naming what is wrong, and returns the line check-deploy
 * prints when it holds.
 */
import { readFileSync } from 'node:fs';
import { parse, parseAllDocuments } from 'yaml';
import { fail } from './run.ts';

/* The rendered objects are Kubernetes manifests: read loosely, checked field by field below. */
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return */
type Manifest = any;

/** Every document of a render, parsed; throws when one does not parse. */
function manifests(text: string): Manifest[] {
  const docs = parseAllDocuments(text).filter((d) => d.contents !== null);
  const errors = docs.flatMap((d) => d.errors.map((e) => e.message));
  if (errors.length > 0) fail(`rendered YAML does not parse: ${errors.join('; ')}`);
  return docs.map((d) => d.toJS()).filter(Boolean);
}

const find = (docs: Manifest[], kind: string, name?: (n: string) => boolean): Manifest => {
  const found = docs.find((o) => o.kind === kind && (!name || name(String(o.metadata?.name))));
  if (!found) fail(`no ${kind} rendered`);
  return found;
};

/** The Dockerfile's runtime stage and the compose services' health checks. */
export function checkDockerfile(dockerfile: string, composeYaml: string): string {
  const lines = dockerfile
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim());
  const args = Object.fromEntries(
    lines.filter((l) => l.startsWith('ARG ')).map((l) => l.slice(4).split('=')),
  );
  const stages: string[][] = [];
  for (const line of lines) {
    if (line.startsWith('FROM ')) stages.push([line]);
    else stages.at(-1)?.push(line);
  }
  const runtime = stages.at(-1) ?? [];
  const from = (runtime[0] ?? '').replace(/\$\{(\w+)\}/g, (_, name: string) => String(args[name]));
  if (!/^FROM gcr\.io\/distroless\/nodejs24-debian12(:nonroot)?(@sha256:[0-9a-f]+)? AS runtime$/.test(from))
    fail(`runtime stage is ${from}`);
  if (runtime.some((l) => l.startsWith('RUN ')))
    fail('the runtime stage runs commands (distroless has no shell)');
  const user = runtime.filter((l) => l.startsWith('USER ')).at(-1);
  if (!/^USER [1-9]\d*(:\d+)?$/.test(user ?? ''))
    fail(`runtime USER is ${user}: it must be a numeric non-root uid`);
  const health = runtime.find((l) => l.startsWith('HEALTHCHECK '));
  if (!health?.includes('CMD ["/nodejs/bin/node", "dist/cli.js", "health"]'))
    fail(`HEALTHCHECK is ${health}`);
  const compose = parse(composeYaml);
  for (const service of ['connector', 'sim']) {
    const test: string[] = compose.services[service].healthcheck?.test ?? [];
    if (test.slice(0, 4).join(' ') !== 'CMD /nodejs/bin/node dist/cli.js health')
      fail(`compose ${service} healthcheck is ${test.join(' ')}`);
  }
  if (compose.services.sim.build?.target !== 'sim')
    fail('compose sim is not built from the Dockerfile sim stage');
  if (compose.services.connector.build?.target !== undefined)
    fail('compose connector is not the runtime (last) stage');
  if (!stages.some((stage) => / AS sim$/.test(stage[0] ?? ''))) fail('the Dockerfile has no sim stage');
  return `runtime ${from.slice(5)}, ${user}, HEALTHCHECK and compose healthchecks via dist/cli.js health; compose sim from the sim stage`;
}

/** The kinds of a render, the Deployment's probes and security, and its config.yaml (returned). */
export function inspectRender(text: string, expectedKinds: string): { config: string; said: string } {
  const objects = manifests(text);
  for (const o of objects) {
    if (!o?.apiVersion || !o?.kind || !o?.metadata?.name)
      fail('document without apiVersion/kind/metadata.name');
  }
  const kinds = objects
    .map((o) => String(o.kind))
    .sort()
    .join(',');
  if (kinds !== expectedKinds) fail(`kinds ${kinds}, expected ${expectedKinds}`);
  const pod = find(objects, 'Deployment').spec.template;
  const container = pod.spec.containers[0];
  if (!/^[0-9a-f]{64}$/.test(pod.metadata.annotations?.['checksum/config'] ?? ''))
    fail('no checksum/config annotation');
  if (container.livenessProbe?.httpGet?.path !== '/healthz') fail('liveness probe is not GET /healthz');
  if (container.readinessProbe?.httpGet?.path !== '/readyz') fail('readiness probe is not GET /readyz');
  if (container.securityContext?.readOnlyRootFilesystem !== true) fail('root filesystem is not read-only');
  if (pod.spec.securityContext?.runAsNonRoot !== true) fail('pod may run as root');
  const config: string = find(objects, 'ConfigMap').data['config.yaml'];
  const port = container.ports.find((p: Manifest) => p.name === 'metrics').containerPort;
  if (port !== (parse(config).observability?.metricsPort ?? 9464)) fail('metrics port differs from config');
  return {
    config,
    said: `${objects.length} documents parse (${kinds}); probes, checksum, non-root, read-only rootfs, port ${port}`,
  };
}

/**
 * Safe by default: a NetworkPolicy admitting only the metrics port from the monitoring namespace, a
 * PDB that never blocks a drain, spread by zone and host, the audit key and admin token mounted, the
 * ops port bound to the pod IP.
 */
export function checkSafeDefaults(text: string): string {
  const docs = manifests(text);
  const np = find(docs, 'NetworkPolicy');
  const rule = np.spec.ingress;
  if (rule.length !== 1 || rule[0].ports?.[0]?.port !== 'metrics')
    fail(`NetworkPolicy ingress ${JSON.stringify(rule)}`);
  if (rule[0].from?.[0]?.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] !== 'monitoring')
    fail('NetworkPolicy does not admit only the monitoring namespace');
  if (JSON.stringify(np.spec.policyTypes) !== '["Ingress"]') fail(`policyTypes ${np.spec.policyTypes}`);
  const pdb = find(docs, 'PodDisruptionBudget');
  if (pdb.spec.maxUnavailable !== 1 || 'minAvailable' in pdb.spec) fail('the PDB is not maxUnavailable: 1');
  const pod = find(docs, 'Deployment').spec.template.spec;
  const keys = (pod.topologySpreadConstraints ?? []).map(
    (c: Manifest) => `${c.topologyKey}:${c.whenUnsatisfiable}`,
  );
  if (keys.join(',') !== 'topology.kubernetes.io/zone:ScheduleAnyway,kubernetes.io/hostname:ScheduleAnyway')
    fail(`topology spread ${keys.join(',')}`);
  const mounts = Object.fromEntries(
    pod.containers[0].volumeMounts.map((m: Manifest) => [m.name, m.mountPath]),
  );
  if (
    mounts['audit-key'] !== '/var/run/secrets/cxone-audit' ||
    mounts['admin-token'] !== '/var/run/secrets/cxone-admin'
  )
    fail(`mounts ${JSON.stringify(mounts)}`);
  const env = Object.fromEntries(
    pod.containers[0].env.map((e: Manifest) => [e.name, e.valueFrom?.fieldRef?.fieldPath ?? e.value]),
  );
  if (env.POD_IP !== 'status.podIP') fail('no POD_IP from status.podIP');
  return 'NetworkPolicy (metrics port from the monitoring namespace only), PDB maxUnavailable 1, zone and host spread, audit key and admin token mounted, POD_IP';
}

/** The Kafka scaler on the group and each input topic, replicas capped at the partitions. */
export function checkScaledObject(text: string): string {
  const so = find(manifests(text), 'ScaledObject');
  if (so.spec.maxReplicaCount !== 4)
    fail(`maxReplicaCount ${so.spec.maxReplicaCount}, expected the 4 input partitions`);
  const triggers = so.spec.triggers.map(
    (t: Manifest) =>
      `${t.type}:${t.metadata.topic}:${t.metadata.consumerGroup}:${t.metadata.allowIdleConsumers}`,
  );
  if (triggers.join(',') !== 'kafka:cdp.events:cxone-connector:false,kafka:cdp.orders:cxone-connector:false')
    fail(`triggers ${triggers.join(',')}`);
  return `ScaledObject: ${triggers.length} Kafka triggers on group cxone-connector, maxReplicaCount 4 (maxReplicas 12 capped)`;
}

export function checkStatefulSet(text: string): string {
  const docs = manifests(text);
  if (docs.some((o) => o.kind === 'Deployment')) fail('mode=statefulset still renders a Deployment');
  const sts = find(docs, 'StatefulSet');
  const claim = sts.spec.volumeClaimTemplates?.[0];
  if (claim?.metadata.name !== 'state' || claim.spec.resources.requests.storage !== '5Gi')
    fail('no 5Gi "state" claim template');
  const pod = sts.spec.template.spec;
  if (pod.volumes.some((v: Manifest) => v.name === 'state')) fail('the state volume is an emptyDir as well');
  const mount = pod.containers[0].volumeMounts.find((m: Manifest) => m.name === 'state');
  if (mount?.mountPath !== '/var/lib/cxone-connector/state') fail('state is not mounted at dedup.stateDir');
  if (
    !pod.containers[0].env.some(
      (e: Manifest) => e.name === 'POD_NAME' && e.valueFrom?.fieldRef?.fieldPath === 'metadata.name',
    )
  )
    fail('no POD_NAME');
  const so = find(docs, 'ScaledObject');
  if (so.spec.scaleTargetRef.kind !== 'StatefulSet') fail(`KEDA targets ${so.spec.scaleTargetRef.kind}`);
  return 'mode=statefulset: a StatefulSet with a 5Gi "state" claim per pod at dedup.stateDir, KEDA targeting it';
}

/** The audit verify CronJob runs the image with the connector's config and secrets, and the given public key. */
export function checkVerifyCronJob(text: string, publicKeyFile: string): string {
  const docs = manifests(text);
  const job = find(docs, 'CronJob');
  const pod = job.spec.jobTemplate.spec.template.spec;
  const args = pod.containers[0].args.join(' ');
  if (
    !args.startsWith(
      'audit verify --config /etc/cxone-connector/config.yaml --public-key /etc/cxone-audit-public/public.pem --json --chain cdp.events/0',
    )
  )
    fail(`args: ${args}`);
  const deployment = find(docs, 'Deployment').spec.template.spec;
  const names = (list: Manifest[]) =>
    list
      .map((v) => String(v.name))
      .sort()
      .join();
  const secrets = (list: Manifest[]) =>
    list.filter((v) => v.secret || v.configMap?.name?.endsWith('connector'));
  if (names(secrets(pod.volumes)) !== names(secrets(deployment.volumes)))
    fail('the CronJob mounts other secrets than the connector');
  const key = find(docs, 'ConfigMap', (n) => n.endsWith('-audit-public-key'));
  if (key.data['public.pem'].trim() !== readFileSync(publicKeyFile, 'utf8').trim())
    fail('the public key is not the one given');
  if (pod.restartPolicy !== 'Never' || job.spec.concurrencyPolicy !== 'Forbid')
    fail('a failed verification must stay failed, one at a time');
  return `auditVerify: a CronJob (${job.spec.schedule}) running audit verify with the connector's config, ${names(secrets(pod.volumes))} and the public key`;
}

/** The PrometheusRule's spec, and how many alerts it holds. */
export function prometheusRuleSpec(text: string): { spec: unknown; alerts: number } {
  const rule = find(manifests(text), 'PrometheusRule');
  const alerts = rule.spec.groups.flatMap((g: Manifest) => g.rules.map((r: Manifest) => r.alert)).length;
  return { spec: rule.spec, alerts };
}

export function checkDashboardConfigMap(text: string, shippedFile: string): string {
  const map = find(manifests(text), 'ConfigMap', (n) => n.endsWith('-dashboard'));
  if (map.metadata.labels.grafana_dashboard !== '1') fail('no grafana_dashboard: "1" label');
  if (map.metadata.annotations.grafana_folder !== 'Kafka') fail('no grafana_folder annotation');
  const dashboard = JSON.parse(map.data['cxone-connector.json']);
  const shipped = JSON.parse(readFileSync(shippedFile, 'utf8'));
  if (JSON.stringify(dashboard) !== JSON.stringify(shipped)) fail('the ConfigMap holds another dashboard');
  return `dashboard ConfigMap (grafana_dashboard: "1"), ${dashboard.panels.filter((p: Manifest) => p.type !== 'row').length} panels`;
}

/** The SASL secret and a CA volume mounted where the config refers to them. */
export function checkSecuredRender(text: string): string {
  const pod = find(manifests(text), 'Deployment').spec.template.spec;
  const mounts = pod.containers[0].volumeMounts.map((m: Manifest) => `${m.name}:${m.mountPath}`);
  const volumes = pod.volumes.map((v: Manifest) => `${v.name}:${v.secret?.secretName ?? ''}`);
  for (const m of ['kafka-secret:/var/run/secrets/kafka', 'kafka-tls:/etc/cxone-connector/tls'])
    if (!mounts.includes(m)) fail(`mount ${m} missing: ${mounts.join(', ')}`);
  for (const v of ['kafka-secret:kafka-credentials', 'kafka-tls:kafka-client-tls'])
    if (!volumes.includes(v)) fail(`volume ${v} missing: ${volumes.join(', ')}`);
  return 'kafka.existingSecret at /var/run/secrets/kafka, extraVolumes and extraVolumeMounts rendered';
}
