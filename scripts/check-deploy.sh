#!/usr/bin/env bash
# Checks the deployment artefacts with real tools, without a Docker engine or a
# Kubernetes cluster:
#
#   1. tools    helm (built from the Go module proxy into .stack/bin when missing)
#               and docker compose (the plugin if present, else built likewise)
#   2. compose  `docker compose config` resolves and validates docker-compose.yml;
#               deploy/compose-config.yaml passes `cxone-connector validate-config`
#   3. image    the Dockerfile's build and runtime stages, replayed on the host:
#               npm ci --ignore-scripts + npm run build; npm ci --omit=dev with
#               only dist/, schemas/, examples/, package.json; then the CLI runs
#               (version, validate-config, sim answering GET /_sim/stats)
#   4. helm     lint --strict; template with default values and with KEDA (or the HPA), PDB and
#               ServiceMonitor on; every rendered document parses; the ConfigMap's
#               config.yaml passes `validate-config`; bad values are refused
#
# Usage: scripts/check-deploy.sh [--skip-image]
# Idempotent; exits non-zero on the first failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

HELM_VERSION="v3.16.4"
# k8s.io/client-go v0.31 in helm v3.16: the Kubernetes version `helm template`
# assumes, as the official release build sets it (helm's Makefile LDFLAGS).
HELM_K8S_MINOR="31"
COMPOSE_VERSION="v2.32.4"
BIN="$ROOT/.stack/bin"
NODE="$ROOT/node_modules/.bin/node"
CHART="$ROOT/helm/cxone-connector"

SKIP_IMAGE=0
for arg in "$@"; do
  case "$arg" in
    --skip-image) SKIP_IMAGE=1 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

WORK="$(mktemp -d)"
SIM_PID=""
cleanup() {
  if [[ -n "$SIM_PID" ]]; then kill "$SIM_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
ok() { printf '   ok: %s\n' "$*"; }
fail() { printf '   FAIL: %s\n' "$*" >&2; exit 1; }

[[ -x "$NODE" ]] || fail "$NODE missing: run npm ci first"

# ---------------------------------------------------------------- 1. tools
step "tools"
mkdir -p "$BIN"
if ! "$BIN/helm" version --short 2>/dev/null | grep -q "^${HELM_VERSION}"; then
  command -v go >/dev/null || fail "go is needed to build helm"
  echo "   building helm ${HELM_VERSION} with go install (first run: ~2 min) ..."
  start=$SECONDS
  GOBIN="$BIN" GOFLAGS=-mod=mod go install -trimpath -ldflags "-s -w \
    -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION} \
    -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 \
    -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=${HELM_K8S_MINOR} \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=${HELM_K8S_MINOR}" \
    "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}"
  echo "   built helm in $((SECONDS - start))s"
fi
HELM="$BIN/helm"
ok "helm $("$HELM" version --short)"

if docker compose version >/dev/null 2>&1; then
  COMPOSE=(docker compose)
else
  if ! "$BIN/docker-compose" version 2>/dev/null | grep -q "${COMPOSE_VERSION}"; then
    command -v go >/dev/null || fail "no docker compose plugin, and go is needed to build it"
    echo "   no docker compose plugin: building compose ${COMPOSE_VERSION} with go install (first run: ~2 min) ..."
    start=$SECONDS
    GOBIN="$WORK/gobin" GOFLAGS=-mod=mod go install -trimpath \
      -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=${COMPOSE_VERSION}" \
      "github.com/docker/compose/v2/cmd@${COMPOSE_VERSION}"
    mv "$WORK/gobin/cmd" "$BIN/docker-compose"
    echo "   built docker-compose in $((SECONDS - start))s"
  fi
  COMPOSE=("$BIN/docker-compose")
fi
ok "compose: $("${COMPOSE[@]}" version | head -n 1)"

# `validate-config` on a file, with the env the deployment would give it.
validate_config() {
  local file="$1"
  shift
  env "$@" "$NODE" "$ROOT/src/cli.ts" validate-config --config "$file" \
    || fail "validate-config rejected $file"
}

# -------------------------------------------------------------- 2. compose
step "docker-compose.yml"
# An empty env file: check the file's own defaults, not the caller's .env.
: >"$WORK/empty.env"
"${COMPOSE[@]}" --env-file "$WORK/empty.env" -f docker-compose.yml config >"$WORK/compose.yaml" \
  || fail "docker compose config"
ok "docker compose config: valid"
services="$("${COMPOSE[@]}" --env-file "$WORK/empty.env" -f docker-compose.yml config --services | sort | tr '\n' ' ')"
[[ "$services" == "connector kafka registry sim topic-init " ]] || fail "unexpected services: $services"
ok "services: $services"
validate_config deploy/compose-config.yaml CXONE_CLIENT_SECRET=sim-secret CXONE_PII_KEY=compose-demo-audit-pii-key-0123456789

# ---------------------------------------------------------------- 3. image
# The runtime stage as written: distroless (no npm, no shell), a numeric non-root user (what
# Kubernetes' runAsNonRoot can verify), the HEALTHCHECK through the CLI, and the compose
# services on the same command.
"$NODE" --input-type=module - Dockerfile "$WORK/compose.yaml" <<'SCRIPT' || fail "Dockerfile runtime stage"
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
const lines = readFileSync(process.argv[2], 'utf8').replace(/\\\n\s*/g, ' ').split('\n').map((l) => l.trim());
const args = Object.fromEntries(lines.filter((l) => l.startsWith('ARG ')).map((l) => l.slice(4).split('=')));
const stages = lines.reduce((all, l) => (l.startsWith('FROM ') ? [...all, [l]] : (all.at(-1)?.push(l), all)), []);
const runtime = stages.at(-1);
const from = runtime[0].replace(/\$\{(\w+)\}/g, (_, name) => args[name]);
if (!/^FROM gcr\.io\/distroless\/nodejs24-debian12(:nonroot)?(@sha256:[0-9a-f]+)? AS runtime$/.test(from)) throw new Error(`runtime stage is ${from}`);
if (runtime.some((l) => /^RUN /.test(l))) throw new Error('the runtime stage runs commands (distroless has no shell)');
const user = runtime.filter((l) => l.startsWith('USER ')).at(-1);
if (!/^USER [1-9]\d*(:\d+)?$/.test(user ?? '')) throw new Error(`runtime USER is ${user}: it must be a numeric non-root uid`);
const health = runtime.find((l) => l.startsWith('HEALTHCHECK '));
if (!health?.includes('CMD ["/nodejs/bin/node", "dist/cli.js", "health"]')) throw new Error(`HEALTHCHECK is ${health}`);
const compose = parse(readFileSync(process.argv[3], 'utf8'));
for (const service of ['connector', 'sim']) {
  const test = compose.services[service].healthcheck?.test ?? [];
  if (test.slice(0, 4).join(' ') !== 'CMD /nodejs/bin/node dist/cli.js health') throw new Error(`compose ${service} healthcheck is ${test.join(' ')}`);
}
if (compose.services.sim.build?.target !== 'sim') throw new Error('compose sim is not built from the Dockerfile sim stage');
if (compose.services.connector.build?.target !== undefined) throw new Error('compose connector is not the runtime (last) stage');
if (!stages.some((stage) => / AS sim$/.test(stage[0]))) throw new Error('the Dockerfile has no sim stage');
console.log(`   ok: runtime ${from.slice(5)}, ${user}, HEALTHCHECK and compose healthchecks via dist/cli.js health; compose sim from the sim stage`);
SCRIPT
if [[ "$SKIP_IMAGE" == 1 ]]; then
  step "image stages: skipped (--skip-image)"
else
  step "Dockerfile stages, replayed on the host"
  # The image's Node is on PATH first, as in node:24-slim; with --ignore-scripts
  # the `node` devDependency installs no binary of its own.
  export PATH="$ROOT/node_modules/node/bin:$PATH"
  NPM_FLAGS=(--ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error)
  for f in package.json package-lock.json vendor/; do
    grep -q "^!$f$" .dockerignore || fail ".dockerignore does not let $f in"
  done
  mkdir -p "$WORK/build" "$WORK/app"
  cp -R package.json package-lock.json vendor tsconfig.json tsconfig.build.json src "$WORK/build/"
  (cd "$WORK/build" && npm ci "${NPM_FLAGS[@]}" >/dev/null && npm run --silent build) \
    || fail "build stage: npm ci + npm run build"
  ok "build stage: npm ci --ignore-scripts && npm run build"
  cp -R package.json package-lock.json vendor "$WORK/app/"
  (cd "$WORK/app" && npm ci --omit=dev "${NPM_FLAGS[@]}" >/dev/null) \
    || fail "runtime stage: npm ci --omit=dev"
  [[ "$(readlink -f "$WORK/app/node_modules/kafkajs")" == "$WORK/app/vendor/kafkajs" ]] \
    || fail "runtime stage: node_modules/kafkajs is not the vendored fork"
  grep -q "cxone-connector fork" "$WORK/app/node_modules/kafkajs/src/consumer/filterAbortedMessages.js" \
    || fail "runtime stage: node_modules/kafkajs is not the fork"
  # The build stage's dist-runtime/: dist/ without the simulator and the crash-point entry.
  cp -R "$WORK/build/dist" "$WORK/build/dist-runtime"
  find "$WORK/build/dist-runtime/sim" -type f ! -name 'cli-options.*' -delete
  rm -f "$WORK/build/dist-runtime"/cli-crash-points.*
  grep -q "find dist-runtime/sim -type f ! -name 'cli-options.\*' -delete" Dockerfile \
    && grep -q 'rm -f dist-runtime/cli-crash-points' Dockerfile \
    && grep -q '^COPY --from=build /app/dist-runtime ./dist$' Dockerfile \
    || fail "the Dockerfile's runtime stage does not take dist-runtime/ as this replay builds it"
  mkdir -p "$WORK/sim-app"
  cp -R "$WORK/build/dist" "$WORK/sim-app/dist"
  cp -R "$WORK/build/dist-runtime" "$WORK/app/dist"
  cp -R schemas examples "$WORK/app/"
  ok "runtime stage: npm ci --omit=dev (kafkajs: the vendor/kafkajs workspace) + dist/ (no simulator, no crash points) schemas/ examples/ package.json"
  [[ ! -e "$WORK/app/dist/cli-crash-points.js" && ! -e "$WORK/app/dist/sim/server.js" ]] \
    || fail "runtime stage: dist/ holds the simulator or the crash-point entry"
  if CXONE_CONNECTOR_TEST_CRASH_POINTS=after-call=1 grep -rq "CXONE_CONNECTOR_TEST_CRASH_POINTS" "$WORK/app/dist"; then
    fail "runtime stage: dist/ still reads CXONE_CONNECTOR_TEST_CRASH_POINTS"
  fi
  (cd "$WORK/app" && node dist/cli.js sim --port 0 2>"$WORK/no-sim.txt") && fail "runtime stage: sim ran without the simulator"
  grep -q "the CXone simulator is not in this build" "$WORK/no-sim.txt" || { cat "$WORK/no-sim.txt"; fail "runtime stage: sim does not say where the simulator is"; }
  ok "runtime stage: no simulator (sim says to use the sim image), no crash points (nothing reads CXONE_CONNECTOR_TEST_CRASH_POINTS)"
  (
    cd "$WORK/app"
    export NODE_ENV=production NODE_OPTIONS="--enable-source-maps --max-semi-space-size=16 --max-old-space-size=192"
    version="$(node dist/cli.js version)" || fail "node dist/cli.js version"
    ok "node dist/cli.js version: $version"
    CXONE_CLIENT_ID=id CXONE_CLIENT_SECRET=s CXONE_PII_KEY=an-audit-key-of-32-characters-or-more node dist/cli.js validate-config \
      --config examples/journey-trigger.yaml || fail "validate-config in the runtime layout"
    # The output schemas are read from <root>/schemas relative to dist/output/.
    node --input-type=module -e "
      const m = await import('./dist/output/output-schemas.js');
      const names = ['cxone-result', 'cxone-audit', 'cxone-dedup-entry'];
      for (const n of names) JSON.parse(m.readSchemaFile(n));
      console.log('   ok: dist/output reads ' + names.map((n) => 'schemas/' + n + '.avsc').join(', '));
    " || fail "schemas/ not readable from dist/output"
  )
  port="$("$NODE" -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
  # The sim stage: the runtime's node_modules with the whole dist/.
  ln -s "$WORK/app/node_modules" "$WORK/sim-app/node_modules"
  cp "$WORK/app/package.json" "$WORK/sim-app/"
  cp -R vendor schemas "$WORK/sim-app/"
  (cd "$WORK/sim-app" && exec node dist/cli.js sim --host 127.0.0.1 --port "$port") >"$WORK/sim.log" 2>&1 &
  SIM_PID=$!
  for _ in $(seq 1 50); do
    if "$NODE" -e "fetch('http://127.0.0.1:$port/_sim/stats').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"; then
      break
    fi
    kill -0 "$SIM_PID" 2>/dev/null || { cat "$WORK/sim.log" >&2; fail "sim exited"; }
    sleep 0.2
  done
  "$NODE" -e "fetch('http://127.0.0.1:$port/_sim/stats').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))" \
    || { cat "$WORK/sim.log" >&2; fail "sim did not answer GET /_sim/stats"; }
  ok "sim stage: node dist/cli.js sim: GET /_sim/stats 200"
  # The image's HEALTHCHECK command, against the live simulator and then against nothing.
  (cd "$WORK/app" && node dist/cli.js health --url "http://127.0.0.1:$port/_sim/stats") \
    || fail "dist/cli.js health: exit non-zero against a live endpoint"
  kill "$SIM_PID" && wait "$SIM_PID" 2>/dev/null || true
  SIM_PID=""
  if (cd "$WORK/app" && node dist/cli.js health --url "http://127.0.0.1:$port/_sim/stats" 2>/dev/null); then
    fail "dist/cli.js health: exit 0 with nothing listening"
  fi
  ok "node dist/cli.js health (the image's HEALTHCHECK): 0 when the endpoint answers, 1 when it does not"
fi

step "SBOM and licences"
"$NODE" scripts/sbom.ts --check || fail "a shipped dependency's licence is outside the allow-list (scripts/sbom.ts)"
ok "npm run sbom: every production component's licence is on the allow-list"

# ----------------------------------------------------------------- 4. helm
step "helm chart"
FEATURES=(--set autoscaling.enabled=true --set podDisruptionBudget.enabled=true
  --set serviceMonitor.enabled=true --set replicaCount=3)
"$HELM" lint --strict "$CHART" || fail "helm lint (defaults)"
"$HELM" lint --strict "$CHART" "${FEATURES[@]}" >/dev/null || fail "helm lint (HPA, PDB, ServiceMonitor)"
"$HELM" lint --strict "$CHART" "${FEATURES[@]}" --set autoscaling.mode=cpu >/dev/null || fail "helm lint (CPU HPA)"
ok "helm lint --strict: defaults, KEDA+PDB+ServiceMonitor, and the CPU HPA"

# Parses every rendered document, checks the kinds, writes config.yaml out.
inspect_render() {
  local rendered="$1" expected="$2" config_out="$3"
  "$NODE" --input-type=module - "$rendered" "$expected" "$config_out" <<'EOF'
import { readFileSync, writeFileSync } from 'node:fs';
import { parseAllDocuments, parse } from 'yaml';
const [file, expected, configOut] = process.argv.slice(2);
const docs = parseAllDocuments(readFileSync(file, 'utf8')).filter((d) => d.contents !== null);
const errors = docs.flatMap((d) => d.errors.map((e) => e.message));
if (errors.length > 0) throw new Error(`rendered YAML does not parse: ${errors.join('; ')}`);
const objects = docs.map((d) => d.toJS());
for (const o of objects) {
  if (!o?.apiVersion || !o?.kind || !o?.metadata?.name) throw new Error(`document without apiVersion/kind/metadata.name`);
}
const kinds = objects.map((o) => o.kind).sort().join(',');
if (kinds !== expected) throw new Error(`kinds ${kinds}, expected ${expected}`);
const deployment = objects.find((o) => o.kind === 'Deployment');
const pod = deployment.spec.template;
const container = pod.spec.containers[0];
const annotations = pod.metadata.annotations ?? {};
if (!/^[0-9a-f]{64}$/.test(annotations['checksum/config'] ?? '')) throw new Error('no checksum/config annotation');
if (container.livenessProbe?.httpGet?.path !== '/healthz') throw new Error('liveness probe is not GET /healthz');
if (container.readinessProbe?.httpGet?.path !== '/readyz') throw new Error('readiness probe is not GET /readyz');
if (container.securityContext?.readOnlyRootFilesystem !== true) throw new Error('root filesystem is not read-only');
if (pod.spec.securityContext?.runAsNonRoot !== true) throw new Error('pod may run as root');
const configMap = objects.find((o) => o.kind === 'ConfigMap');
const configText = configMap.data['config.yaml'];
const config = parse(configText);
const port = container.ports.find((p) => p.name === 'metrics').containerPort;
if (port !== (config.observability?.metricsPort ?? 9464)) throw new Error('metrics port differs from config');
writeFileSync(configOut, configText);
console.log(`   ok: ${objects.length} documents parse (${kinds}); probes, checksum, non-root, read-only rootfs, port ${port}`);
EOF
}

"$HELM" template rel "$CHART" --namespace cxone >"$WORK/default.yaml" || fail "helm template (defaults)"
inspect_render "$WORK/default.yaml" "ConfigMap,Deployment,NetworkPolicy,PodDisruptionBudget,Service,ServiceAccount" \
  "$WORK/config-default.yaml" || fail "rendered manifests (defaults)"
grep -q '^  replicas: 1$' "$WORK/default.yaml" || fail "default render has no replicas: 1"
# Safe by default: a NetworkPolicy admitting only the metrics port from the monitoring namespace,
# a PDB that never blocks a drain, spread by zone and host, the audit key and admin token mounted,
# the ops port bound to the pod IP.
"$NODE" --input-type=module - "$WORK/default.yaml" <<'SCRIPT' || fail "safe defaults"
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
const docs = parseAllDocuments(readFileSync(process.argv[2], 'utf8')).map((d) => d.toJS()).filter(Boolean);
const np = docs.find((o) => o.kind === 'NetworkPolicy');
const rule = np.spec.ingress;
if (rule.length !== 1 || rule[0].ports?.[0]?.port !== 'metrics') throw new Error(`NetworkPolicy ingress ${JSON.stringify(rule)}`);
if (rule[0].from?.[0]?.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] !== 'monitoring')
  throw new Error('NetworkPolicy does not admit only the monitoring namespace');
if (JSON.stringify(np.spec.policyTypes) !== '["Ingress"]') throw new Error(`policyTypes ${np.spec.policyTypes}`);
const pdb = docs.find((o) => o.kind === 'PodDisruptionBudget');
if (pdb.spec.maxUnavailable !== 1 || 'minAvailable' in pdb.spec) throw new Error('the PDB is not maxUnavailable: 1');
const pod = docs.find((o) => o.kind === 'Deployment').spec.template.spec;
const keys = (pod.topologySpreadConstraints ?? []).map((c) => `${c.topologyKey}:${c.whenUnsatisfiable}`);
if (keys.join(',') !== 'topology.kubernetes.io/zone:ScheduleAnyway,kubernetes.io/hostname:ScheduleAnyway')
  throw new Error(`topology spread ${keys.join(',')}`);
const mounts = Object.fromEntries(pod.containers[0].volumeMounts.map((m) => [m.name, m.mountPath]));
if (mounts['audit-key'] !== '/var/run/secrets/cxone-audit' || mounts['admin-token'] !== '/var/run/secrets/cxone-admin')
  throw new Error(`mounts ${JSON.stringify(mounts)}`);
const env = Object.fromEntries(pod.containers[0].env.map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath ?? e.value]));
if (env.POD_IP !== 'status.podIP') throw new Error('no POD_IP from status.podIP');
console.log('   ok: NetworkPolicy (metrics port from the monitoring namespace only), PDB maxUnavailable 1, zone and host spread, audit key and admin token mounted, POD_IP');
SCRIPT
# A typo'd key anywhere the chart owns (the root, a section, the connector's config) fails helm lint --strict.
for typo in replicaCountt=2 podDisruptionBudget.enable=true config.kafka.brokerz=x config.observability.metricHost=x \
  config.routes[0].journeyID=j; do
  if "$HELM" lint --strict "$CHART" --set "$typo" >"$WORK/typo.txt" 2>&1; then
    fail "helm lint --strict accepted the typo $typo"
  fi
  ok "helm lint --strict refuses the typo $typo: $(grep -m1 -o 'Additional property [^ ]* is not allowed' "$WORK/typo.txt")"
done
"$NODE" scripts/chart-schema.ts --check || fail "values.schema.json is not what npm run chart:schema generates from the config schema: run it"
ok "values.schema.json's config is generated from the zod schema (npm run chart:schema: no change)"

"$HELM" template rel "$CHART" --namespace cxone "${FEATURES[@]}" >"$WORK/features.yaml" \
  || fail "helm template (HPA, PDB, ServiceMonitor)"
inspect_render "$WORK/features.yaml" \
  "ConfigMap,Deployment,NetworkPolicy,PodDisruptionBudget,ScaledObject,Service,ServiceAccount,ServiceMonitor" \
  "$WORK/config-features.yaml" || fail "rendered manifests (KEDA, PDB, ServiceMonitor)"
if grep -q '^  replicas:' "$WORK/features.yaml"; then fail "Deployment sets replicas while KEDA owns them"; fi
ok "with KEDA on, the Deployment leaves replicas to it"
# The ScaledObject: the Kafka scaler on the group and each input topic, replicas capped at the partitions.
"$HELM" template rel "$CHART" --set autoscaling.enabled=true --set autoscaling.maxReplicas=12 \
  --set autoscaling.inputPartitions=4 --set 'config.kafka.inputTopics={cdp.events,cdp.orders}' \
  >"$WORK/keda.yaml" || fail "helm template (KEDA)"
"$NODE" --input-type=module - "$WORK/keda.yaml" <<'SCRIPT' || fail "ScaledObject"
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
const so = parseAllDocuments(readFileSync(process.argv[2], 'utf8')).map((d) => d.toJS()).find((o) => o?.kind === 'ScaledObject');
if (so.spec.maxReplicaCount !== 4) throw new Error(`maxReplicaCount ${so.spec.maxReplicaCount}, expected the 4 input partitions`);
const triggers = so.spec.triggers.map((t) => `${t.type}:${t.metadata.topic}:${t.metadata.consumerGroup}:${t.metadata.allowIdleConsumers}`);
if (triggers.join(',') !== 'kafka:cdp.events:cxone-connector:false,kafka:cdp.orders:cxone-connector:false')
  throw new Error(`triggers ${triggers.join(',')}`);
console.log(`   ok: ScaledObject: ${triggers.length} Kafka triggers on group cxone-connector, maxReplicaCount 4 (maxReplicas 12 capped)`);
SCRIPT
"$HELM" template rel "$CHART" "${FEATURES[@]}" --set autoscaling.mode=cpu >"$WORK/hpa.yaml" || fail "helm template (CPU HPA)"
grep -q '^kind: HorizontalPodAutoscaler$' "$WORK/hpa.yaml" || fail "autoscaling.mode=cpu renders no HorizontalPodAutoscaler"
if grep -q '^kind: ScaledObject$' "$WORK/hpa.yaml"; then fail "autoscaling.mode=cpu also renders a ScaledObject"; fi
ok "autoscaling.mode=cpu: a HorizontalPodAutoscaler instead"
"$HELM" lint --strict "$CHART" "${FEATURES[@]}" --set mode=statefulset >/dev/null || fail "helm lint (statefulset)"
"$HELM" template rel "$CHART" "${FEATURES[@]}" --set mode=statefulset --set persistence.size=5Gi >"$WORK/sts.yaml" \
  || fail "helm template (statefulset)"
"$NODE" --input-type=module - "$WORK/sts.yaml" <<'SCRIPT' || fail "statefulset mode"
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
const docs = parseAllDocuments(readFileSync(process.argv[2], 'utf8')).map((d) => d.toJS()).filter(Boolean);
if (docs.some((o) => o.kind === 'Deployment')) throw new Error('mode=statefulset still renders a Deployment');
const sts = docs.find((o) => o.kind === 'StatefulSet');
if (!sts) throw new Error('no StatefulSet');
const claim = sts.spec.volumeClaimTemplates?.[0];
if (claim?.metadata.name !== 'state' || claim.spec.resources.requests.storage !== '5Gi') throw new Error('no 5Gi "state" claim template');
const pod = sts.spec.template.spec;
if (pod.volumes.some((v) => v.name === 'state')) throw new Error('the state volume is an emptyDir as well');
const mount = pod.containers[0].volumeMounts.find((m) => m.name === 'state');
if (mount?.mountPath !== '/var/lib/cxone-connector/state') throw new Error('state is not mounted at dedup.stateDir');
if (!pod.containers[0].env.some((e) => e.name === 'POD_NAME' && e.valueFrom?.fieldRef?.fieldPath === 'metadata.name')) throw new Error('no POD_NAME');
const so = docs.find((o) => o.kind === 'ScaledObject');
if (so.spec.scaleTargetRef.kind !== 'StatefulSet') throw new Error(`KEDA targets ${so.spec.scaleTargetRef.kind}`);
console.log('   ok: mode=statefulset: a StatefulSet with a 5Gi "state" claim per pod at dedup.stateDir, KEDA targeting it');
SCRIPT
"$HELM" template rel "$CHART" "${FEATURES[@]}" --set mode=statefulset --set autoscaling.mode=cpu | grep -q '^    kind: StatefulSet$' \
  || fail "the CPU HPA does not target the StatefulSet"
ok "mode=statefulset with autoscaling.mode=cpu: the HPA targets the StatefulSet"
# The audit verify CronJob: off by default; on, it runs the same image with the same config and
# secrets as the connector, and the public key it is given.
openssl genpkey -algorithm ed25519 -out "$WORK/audit-signing.pem" 2>/dev/null || fail "openssl genpkey ed25519"
openssl pkey -in "$WORK/audit-signing.pem" -pubout -out "$WORK/audit-public.pem" || fail "openssl pkey -pubout"
VERIFY=(--set auditVerify.enabled=true --set-file auditVerify.publicKey="$WORK/audit-public.pem")
"$HELM" template rel "$CHART" | grep -q '^kind: CronJob$' && fail "the audit verify CronJob renders by default"
"$HELM" lint --strict "$CHART" "${VERIFY[@]}" >/dev/null || fail "helm lint (audit verify CronJob)"
"$HELM" template rel "$CHART" "${VERIFY[@]}" --set 'auditVerify.extraArgs={--chain,cdp.events/0}' >"$WORK/verify.yaml" \
  || fail "helm template (audit verify CronJob)"
"$NODE" --input-type=module - "$WORK/verify.yaml" "$WORK/audit-public.pem" <<'SCRIPT' || fail "audit verify CronJob"
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
const docs = parseAllDocuments(readFileSync(process.argv[2], 'utf8')).map((d) => d.toJS()).filter(Boolean);
const job = docs.find((o) => o.kind === 'CronJob');
const pod = job.spec.jobTemplate.spec.template.spec;
const [container] = pod.containers;
const args = container.args.join(' ');
if (!args.startsWith('audit verify --config /etc/cxone-connector/config.yaml --public-key /etc/cxone-audit-public/public.pem --json --chain cdp.events/0'))
  throw new Error(`args: ${args}`);
const deployment = docs.find((o) => o.kind === 'Deployment').spec.template.spec;
const names = (list) => list.map((v) => v.name).sort().join();
const secrets = (list) => list.filter((v) => v.secret || v.configMap?.name?.endsWith('connector'));
if (names(secrets(pod.volumes)) !== names(secrets(deployment.volumes))) throw new Error('the CronJob mounts other secrets than the connector');
const key = docs.find((o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-audit-public-key'));
if (key.data['public.pem'].trim() !== readFileSync(process.argv[3], 'utf8').trim()) throw new Error('the public key is not the one given');
if (pod.restartPolicy !== 'Never' || job.spec.concurrencyPolicy !== 'Forbid') throw new Error('a failed verification must stay failed, one at a time');
console.log(`   ok: auditVerify: a CronJob (${job.spec.schedule}) running audit verify with the connector's config, ${names(secrets(pod.volumes))} and the public key`);
SCRIPT

cmp -s deploy/prometheus/alerts.yaml "$CHART/files/alerts.yaml" \
  || fail "helm/cxone-connector/files/alerts.yaml differs from deploy/prometheus/alerts.yaml (copy it over)"
"$HELM" lint --strict "$CHART" --set prometheusRule.enabled=true >/dev/null || fail "helm lint (PrometheusRule)"
"$HELM" template rel "$CHART" --set prometheusRule.enabled=true >"$WORK/rules.yaml" || fail "helm template (PrometheusRule)"
"$NODE" --input-type=module - "$WORK/rules.yaml" <<'SCRIPT' || fail "PrometheusRule"
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
const rule = parseAllDocuments(readFileSync(process.argv[2], 'utf8')).map((d) => d.toJS()).find((o) => o?.kind === 'PrometheusRule');
const alerts = rule.spec.groups.flatMap((g) => g.rules.map((r) => r.alert));
if (alerts.length !== 18) throw new Error(`PrometheusRule has ${alerts.length} alerts`);
console.log(`   ok: PrometheusRule with the ${alerts.length} alerts of deploy/prometheus/alerts.yaml`);
SCRIPT
command -v promtool >/dev/null || fail "promtool is required (apt-get install prometheus)"
"$NODE" --input-type=module -e '
    import { readFileSync, writeFileSync } from "node:fs";
    import { parseAllDocuments, stringify } from "yaml";
    const rule = parseAllDocuments(readFileSync(process.argv[1], "utf8")).map((d) => d.toJS()).find((o) => o?.kind === "PrometheusRule");
    writeFileSync(process.argv[2], stringify(rule.spec));
' "$WORK/rules.yaml" "$WORK/rules-spec.yaml" && promtool check rules "$WORK/rules-spec.yaml" >/dev/null \
    || fail "promtool check rules on the chart's PrometheusRule"
ok "promtool check rules: the chart's PrometheusRule"
cmp -s deploy/grafana/cxone-connector.json "$CHART/files/cxone-connector-dashboard.json" \
  || fail "helm/cxone-connector/files/cxone-connector-dashboard.json differs from deploy/grafana/cxone-connector.json (copy it over)"
"$HELM" template rel "$CHART" --set grafanaDashboard.enabled=true --set grafanaDashboard.folder=Kafka >"$WORK/dashboard.yaml" \
  || fail "helm template (dashboard ConfigMap)"
"$NODE" --input-type=module - "$WORK/dashboard.yaml" <<'SCRIPT' || fail "dashboard ConfigMap"
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
const map = parseAllDocuments(readFileSync(process.argv[2], 'utf8')).map((d) => d.toJS()).find((o) => o?.kind === 'ConfigMap' && o.metadata.name.endsWith('-dashboard'));
if (map.metadata.labels.grafana_dashboard !== '1') throw new Error('no grafana_dashboard: "1" label');
if (map.metadata.annotations.grafana_folder !== 'Kafka') throw new Error('no grafana_folder annotation');
const dashboard = JSON.parse(map.data['cxone-connector.json']);
const shipped = JSON.parse(readFileSync('deploy/grafana/cxone-connector.json', 'utf8'));
if (JSON.stringify(dashboard) !== JSON.stringify(shipped)) throw new Error('the ConfigMap holds another dashboard');
console.log(`   ok: dashboard ConfigMap (grafana_dashboard: "1"), ${dashboard.panels.filter((p) => p.type !== 'row').length} panels`);
SCRIPT

# The config as the pod sees it: the secret file does not exist here, so the
# reference is overridden the way an operator could (env beats file); POD_NAME
# is what the Deployment sets from the pod's name (kafka.instanceId).
validate_config "$WORK/config-default.yaml" CXONE_CONNECTOR__CXONE__AUTH__CLIENT_SECRET=x POD_NAME=rel-cxone-connector-5d8f-x2b7q \
  POD_IP=10.1.2.3 CXONE_CONNECTOR__AUDIT__PII_KEY=an-audit-key-of-32-characters-or-more \
  CXONE_CONNECTOR__OBSERVABILITY__ADMIN_TOKEN=an-admin-token-of-32-characters-or-more \
  CXONE_CONNECTOR__AUDIT__SIGNING_KEY="$(openssl genpkey -algorithm ed25519)"
cmp -s "$WORK/config-default.yaml" "$WORK/config-features.yaml" || fail "config differs between renders"

# Bad values are refused at `helm install` time, not in a crash loop.
refuse() {
  local why="$1"
  shift
  if "$HELM" template rel "$CHART" "$@" >/dev/null 2>"$WORK/refused.txt"; then
    fail "helm template accepted: $why"
  fi
  # The schema's own complaint ("- path: message"), else helm's error line.
  local reason
  reason="$(grep -m1 '^- ' "$WORK/refused.txt" || grep -m1 -o 'Error: .*' "$WORK/refused.txt")"
  ok "refused ($why): ${reason:0:140}"
}
refuse "config without routes" --set config.routes=null
refuse "plaintext client secret in values" --set config.cxone.auth.clientSecret=hunter2
refuse "no existingSecret" --set cxone.existingSecret=
refuse "metricsPort 0" --set config.observability.metricsPort=0
refuse "metrics on loopback" --set config.observability.metricsHost=127.0.0.1
refuse "a plaintext audit key" --set config.audit.piiKey=an-audit-key-in-clear-0123456789abcdef
refuse "hashPii on without the key's Secret" --set audit.existingSecret=
refuse "an admin token without its Secret" --set adminToken.existingSecret=
refuse "a data-action route without actionId" --set 'config.routes[0].action=data-action'
refuse "a plaintext access key secret" --set config.cxone.auth.style=access-key \
  --set config.cxone.auth.accessKeyId=k --set config.cxone.auth.accessKeySecret=hunter2
"$HELM" template rel "$CHART" --set config.cxone.auth.style=access-key --set config.cxone.auth.accessKeyId=k \
  --set 'config.cxone.auth.accessKeySecret=${file:/var/run/secrets/cxone/access-key-secret}' >/dev/null \
  || fail "helm template refused the access-key token style"
ok "the access-key token style renders"
refuse "a plaintext SASL password" --set config.kafka.sasl.mechanism=scram-sha-512 \
  --set config.kafka.sasl.username=u --set config.kafka.sasl.password=hunter2
refuse "a plaintext registry password" --set config.registry.username=u --set config.registry.password=hunter2
refuse "auditVerify without its public key" --set auditVerify.enabled=true
refuse "a signing key without its Secret" --set auditSigning.existingSecret=
refuse "a plaintext signing key" --set config.audit.signingKey=not-a-reference

# Secured Kafka: the SASL secret and a CA volume are mounted where the config refers to them.
cat >"$WORK/values-secured.yaml" <<'VALUES'
kafka:
  existingSecret: kafka-credentials
extraVolumes:
  - name: kafka-tls
    secret:
      secretName: kafka-client-tls
extraVolumeMounts:
  - name: kafka-tls
    mountPath: /etc/cxone-connector/tls
    readOnly: true
config:
  kafka:
    brokers: ["kafka:9093"]
    ssl:
      ca: ${file:/etc/cxone-connector/tls/ca.pem}
    sasl:
      mechanism: scram-sha-512
      username: cxone-connector
      password: ${file:/var/run/secrets/kafka/password}
VALUES
"$HELM" lint --strict "$CHART" -f "$WORK/values-secured.yaml" >/dev/null || fail "helm lint (secured Kafka values)"
"$HELM" template rel "$CHART" -f "$WORK/values-secured.yaml" >"$WORK/secured.yaml" || fail "helm template (secured Kafka)"
"$NODE" --input-type=module - "$WORK/secured.yaml" <<'SCRIPT' || fail "secured Kafka render"
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
const docs = parseAllDocuments(readFileSync(process.argv[2], 'utf8')).map((d) => d.toJS());
const pod = docs.find((o) => o?.kind === 'Deployment').spec.template.spec;
const mounts = pod.containers[0].volumeMounts.map((m) => `${m.name}:${m.mountPath}`);
const volumes = pod.volumes.map((v) => `${v.name}:${v.secret?.secretName ?? ''}`);
for (const m of ['kafka-secret:/var/run/secrets/kafka', 'kafka-tls:/etc/cxone-connector/tls'])
  if (!mounts.includes(m)) throw new Error(`mount ${m} missing: ${mounts.join(', ')}`);
for (const v of ['kafka-secret:kafka-credentials', 'kafka-tls:kafka-client-tls'])
  if (!volumes.includes(v)) throw new Error(`volume ${v} missing: ${volumes.join(', ')}`);
console.log('   ok: kafka.existingSecret at /var/run/secrets/kafka, extraVolumes and extraVolumeMounts rendered');
SCRIPT
ok "secured Kafka: SASL secret and TLS volume mounted"

# Every example config is a valid chart value: each renders and lints strictly (the chart sets
# observability itself, so the example's own is left out).
for example in "$ROOT"/examples/*.yaml; do
  name="$(basename "$example" .yaml)"
  node --input-type=module -e '
    import { readFileSync } from "node:fs";
    import { parse, stringify } from "yaml";
    const config = parse(readFileSync(process.argv[1], "utf8"));
    delete config.observability;
    process.stdout.write(stringify({ config }));
  ' "$example" >"$WORK/values-$name.yaml" || fail "cannot read examples/$name.yaml"
  "$HELM" lint --strict "$CHART" -f "$WORK/values-$name.yaml" >"$WORK/lint-$name.txt" 2>&1 \
    || { cat "$WORK/lint-$name.txt"; fail "helm lint --strict with examples/$name.yaml"; }
  "$HELM" template rel "$CHART" --namespace cxone -f "$WORK/values-$name.yaml" >/dev/null \
    || fail "helm template with examples/$name.yaml"
done
ok "every examples/*.yaml renders through the chart and passes helm lint --strict"

printf '\nall deployment checks passed\n'
