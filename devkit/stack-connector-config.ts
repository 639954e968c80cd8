/**
 * A connector config aimed at the local stack (Kafka, the registry, the CXone
 * simulator) with topics and a group of its own: the one base that the
 * integration harness, the chaos run and the benchmark each adjust.
 */

export interface StackEndpoints {
  /** One broker, or several separated by commas (a cluster: clients survive any one down). */
  bootstrap: string;
  registry: string;
  sim: string;
}

export type OwnTopics = Record<
  'results' | 'audit' | 'dlq' | 'dedup' | 'auditCheckpoints' | 'replays',
  string
>;

/** `<prefix>.results`, `.audit`, `.dlq`, `.dedup`, `.audit.checkpoints`, `.replays`: output topics no other run shares. */
export function ownTopics(prefix: string): OwnTopics {
  return {
    results: `${prefix}.results`,
    audit: `${prefix}.audit`,
    dlq: `${prefix}.dlq`,
    dedup: `${prefix}.dedup`,
    auditCheckpoints: `${prefix}.audit.checkpoints`,
    replays: `${prefix}.replays`,
  };
}

export interface StackConnectorOptions {
  endpoints: StackEndpoints;
  groupId: string;
  input: string;
  topics: OwnTopics;
  /** A literal or a `${env:…}` reference; the simulator's client is `sim-client` / `sim-secret`. */
  clientSecret: string;
  routeName?: string;
}

export type RawConfig = Record<string, unknown>;

/**
 * The audit HMAC key of the local stack. A deployment mounts its own from a secret
 * (`audit.piiKey: ${file:…}`); this one guards nothing but test data.
 */
const STACK_PII_KEY = 'local-stack-audit-pii-key-0123456789';

/**
 * The Ed25519 key that signs the local stack's audit checkpoints (test data only; a deployment
 * mounts its own: `audit.signingKey: ${file:…}`). Its public key verifies them (`audit verify`).
 */
export const STACK_AUDIT_SIGNING_KEY = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIHo8Ghpmjhxshy/vIcq7SduTWRhFU1SZgYWyvpCv8nvm
-----END PRIVATE KEY-----
`;

/** The base config with `patch` merged in, section by section (arrays and scalars are replaced). */
export function stackConnectorConfig(options: StackConnectorOptions, patch: RawConfig = {}): RawConfig {
  const base: RawConfig = {
    kafka: {
      brokers: options.endpoints.bootstrap.split(','),
      groupId: options.groupId,
      // The local stack's topics are made for the run: all of it is to be processed.
      startFrom: 'earliest',
      inputTopics: [options.input],
      topics: options.topics,
    },
    registry: { url: options.endpoints.registry },
    cxone: {
      baseUrl: options.endpoints.sim,
      allowInsecureHttp: true,
      auth: { clientId: 'sim-client', clientSecret: options.clientSecret },
    },
    routes: [
      { name: options.routeName ?? 'welcome', journeyId: 'j-welcome', fields: { directives: 'properties' } },
    ],
    observability: { logLevel: 'warn', metricsPort: 0, metricsHost: '127.0.0.1' },
    audit: { piiKey: STACK_PII_KEY, signingKey: STACK_AUDIT_SIGNING_KEY },
  };
  return mergeConfig(base, patch);
}

export function mergeConfig(base: RawConfig, patch: RawConfig): RawConfig {
  const out = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    out[key] = isRecord(current) && isRecord(value) ? mergeConfig(current, value) : value;
  }
  return out;
}

const isRecord = (v: unknown): v is RawConfig => typeof v === 'object' && v !== null && !Array.isArray(v);
