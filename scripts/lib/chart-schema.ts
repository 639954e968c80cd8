/**
 * The chart's values.schema.json, kept whole: its `config` is generated from the
 * connector's own zod schema (`z.toJSONSchema`), so the chart can never accept a
 * key the connector refuses or refuse one it takes; and every level of the values
 * the chart owns refuses unknown keys, so a typo fails `helm install`, not
 * silently. Kubernetes objects passed through as they are (resources, probes,
 * affinity…) stay open: the API server checks those.
 */
import { z } from 'zod';
import { configSchema } from '../../src/config/schema.ts';

type Json = Record<string, unknown>;

/** A `${env:NAME}` or `${file:/path}` reference: what load-config resolves wherever a value stands. */
const REFERENCE = { type: 'string', pattern: '^\\$\\{(env|file):[^}]+\\}$' };

/** Fields that hold a secret: only a reference is accepted in values.yaml, never the secret itself. */
const SECRET_FIELDS = new Set([
  'password',
  'clientSecret',
  'accessKeySecret',
  'secretAccessKey',
  'sessionToken',
  'bearerToken',
  'key',
  'keyPassword',
  'piiKey',
  'piiSalt',
  'signingKey',
  'adminToken',
]);

/** The values paths the chart owns (beside the root): unknown keys there are typos. */
const OWNED = [
  'image',
  'persistence',
  'cxone',
  'kafka',
  'audit',
  'auditSigning',
  'auditVerify',
  'adminToken',
  'networkPolicy',
  'topologySpread',
  'service',
  'serviceAccount',
  'podDisruptionBudget',
  'autoscaling',
  'autoscaling.keda',
  'prometheusRule',
  'grafanaDashboard',
  'serviceMonitor',
];

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Each leaf also takes a reference (any value may be `${env:…}`); a secret leaf takes only one.
 * Defaults are dropped: values.yaml, not the schema, says what a default is.
 */
function withReferences(schema: unknown, name?: string): unknown {
  if (Array.isArray(schema)) return schema.map((item) => withReferences(item));
  if (!isObject(schema)) return schema;
  const { default: _default, $schema: _draft, ...rest } = schema;
  if (name !== undefined && SECRET_FIELDS.has(name) && rest.type === 'string') {
    return { ...REFERENCE, description: 'a secret: a ${file:} or ${env:} reference, never the value' };
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(rest)) {
    if (key === 'properties' && isObject(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withReferences(v, k)]));
    } else {
      out[key] = withReferences(value);
    }
  }
  const leaf = out.type !== undefined && out.type !== 'object' && out.type !== 'array';
  return leaf ? { anyOf: [out, REFERENCE] } : out;
}

/** Where Kubernetes asks more than the connector does: the probes and the Service need a fixed port. */
const IN_KUBERNETES: Record<string, Json> = {
  'observability.metricsPort': {
    anyOf: [{ type: 'integer', minimum: 1, maximum: 65535 }, REFERENCE],
    description:
      'a fixed port: the probes and the Service use it (0, a random port, works only outside Kubernetes)',
  },
};

function configJsonSchema(): Json {
  const generated = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any', target: 'draft-7' });
  const schema = withReferences(generated) as Json;
  for (const [path, rule] of Object.entries(IN_KUBERNETES)) {
    const steps = path.split('.');
    const last = steps.pop() ?? '';
    let node: Json = schema;
    for (const step of steps) node = (node.properties as Json)[step] as Json;
    (node.properties as Json)[last] = rule;
  }
  return {
    description:
      "The connector's config.yaml, generated from its own schema (npm run chart:schema): every key it takes, no other. Cross-field rules are checked by the connector at start.",
    ...schema,
  };
}

/** values.schema.json with `config` regenerated and the owned levels closed. */
export function chartValuesSchema(current: Json): Json {
  const schema = structuredClone(current);
  schema.additionalProperties = false;
  const properties = schema.properties as Json;
  properties.config = configJsonSchema();
  for (const path of OWNED) {
    let node: Json | undefined = schema;
    for (const step of path.split('.'))
      node = (node?.properties as Json | undefined)?.[step] as Json | undefined;
    if (node === undefined) throw new Error(`values.schema.json has no ${path}: describe it first`);
    node.additionalProperties = false;
  }
  return schema;
}
