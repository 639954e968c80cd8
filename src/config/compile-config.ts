/**
 * Validated config → each component's own options, in one place (as temporal's
 * `compileWorkerOptions` does). Components declare what they take; nothing
 * below this module reads the config shape, so a setting is renamed or
 * regrouped here alone. Derived values (transactional-id prefix, scopes) are
 * decided here too, once.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { CheckpointPolicy } from '../audit/chain-writer.ts';
import { keyIdOf } from '../audit/checkpoint.ts';
import type { CxoneClientsOptions } from '../cxone/cxone-clients.ts';
import { scopesForActions } from '../cxone/scopes.ts';
import type { TokenStyle } from '../cxone/token-provider.ts';
import type { RouteDefinition } from '../mapping/route-definition.ts';
import type { RecordProcessorSettings } from '../pipeline/build-record-processor.ts';
import type { RouteBlocksOptions } from '../pipeline/route-blocks.ts';
import { tlsOptions, type TlsSettings } from '../contracts/tls.ts';
import type { RegistryEndpoint } from '../output/registry-client.ts';
import type { KafkaClientOptions, KafkaSasl } from '../kafka/kafka-client.ts';
import type { InputConsumerOptions } from '../source/input-consumer.ts';
import type { SupervisorLimits } from '../source/partition-supervisor.ts';
import type { ConnectorConfig, RouteConfig } from './schema.ts';
import { ed25519PrivateKey } from './resource-checks.ts';

export interface CommitterSettings {
  groupId: string;
  transactionalIdPrefix: string;
  /** kafka.instanceId: undefined for a random one per start. */
  instanceId: string | undefined;
  transactionTimeoutMs: number;
  fencing: 'group' | 'partition';
  /** `input`: outputs go to the input record's partition number; `key`: by key hash. */
  partitioning: 'input' | 'key';
}

export interface StartSettings {
  /** A group with no committed offset starts at the first record at or after this time; undefined: earliest or latest. */
  startFromMs: number | undefined;
  /** kafka.startFrom or processing.maxEventAgeMs is set; if neither is, a group without offsets may not start. */
  chosen: boolean;
}

/** The `dedup` section as it is: its settings are the store's, restorer's and checkpoints' options. */
export type DedupSettings = ConnectorConfig['dedup'];

/**
 * The `processing` settings the supervisor and its workers take, under their config names: picked by
 * name, not copied field by field, and `satisfies` below fails to compile if a setting is renamed
 * or retyped on one side only.
 */
const LIMIT_SETTINGS = [
  'maxInFlightPerPartition',
  'maxInFlight',
  'maxBufferedPerPartition',
  'maxBufferedRecords',
  'maxBufferedBytes',
  'maxRecordsPerCommit',
  'recordRetryInitialMs',
  'recordRetryMaxMs',
  'failureBackoffMs',
] as const satisfies readonly (keyof Omit<SupervisorLimits, 'keepClaims'> &
  keyof ConnectorConfig['processing'])[];

function limitsOf(processing: ConnectorConfig['processing'], keepClaims: boolean): SupervisorLimits {
  const picked = Object.fromEntries(LIMIT_SETTINGS.map((name) => [name, processing[name]])) as Pick<
    ConnectorConfig['processing'],
    (typeof LIMIT_SETTINGS)[number]
  >;
  return { ...(picked satisfies Omit<SupervisorLimits, 'keepClaims'>), keepClaims };
}

export interface ConnectorOptions {
  kafka: KafkaClientOptions;
  consumer: InputConsumerOptions;
  topics: ConnectorConfig['kafka']['topics'];
  committer: CommitterSettings;
  registry: RegistryEndpoint;
  cxone: CxoneClientsOptions;
  processor: RecordProcessorSettings;
  limits: SupervisorLimits;
  dedup: DedupSettings;
  /** When each input partition's audit chain is checkpointed, and the key that signs it. */
  auditChain: CheckpointPolicy;
  start: StartSettings;
  drainTimeoutMs: number;
  routeBlocks: RouteBlocksOptions;
  lagSampleMs: number;
}

/**
 * `secretFiles` (from loadConfig): settings that came from `${file:}`; they are read again at use,
 * so a rotated mounted secret takes effect without a restart.
 */
export function compileConfig(
  config: ConnectorConfig,
  secretFiles: Readonly<Record<string, string>> = {},
): ConnectorOptions {
  const { kafka, processing, cxone } = config;
  return {
    kafka: {
      clientId: kafka.clientId,
      brokers: kafka.brokers,
      connectionTimeoutMs: kafka.connectionTimeoutMs,
      tls: tlsSettings(kafka.ssl),
      sasl: kafkaSasl(kafka.sasl, secretFiles),
    },
    consumer: {
      groupId: kafka.groupId,
      inputTopics: kafka.inputTopics,
      // Unset starts a never-committed partition at its beginning too (a partition added to a
      // running group holds only new events); a whole group without offsets is refused at start.
      fromBeginning: kafka.startFrom === undefined || kafka.startFrom === 'earliest',
      sessionTimeoutMs: kafka.sessionTimeoutMs,
      heartbeatIntervalMs: kafka.heartbeatIntervalMs,
      metadataMaxAgeMs: kafka.metadataMaxAgeMs,
      fetchMaxBytes: kafka.fetchMaxBytes,
      fetchMaxBytesPerPartition: kafka.fetchMaxBytesPerPartition,
      groupInstanceId: kafka.staticMembership ? kafka.instanceId : undefined,
      leaveGroupOnShutdown: kafka.leaveGroupOnShutdown,
    },
    topics: kafka.topics,
    committer: {
      groupId: kafka.groupId,
      transactionalIdPrefix: kafka.transactionalIdPrefix ?? kafka.groupId,
      instanceId: kafka.instanceId,
      transactionTimeoutMs: kafka.transactionTimeoutMs,
      fencing: kafka.fencing,
      partitioning: config.output.partitioning,
    },
    registry: {
      url: config.registry.url,
      ...(config.registry.username !== undefined && config.registry.password !== undefined
        ? { auth: { username: config.registry.username, password: config.registry.password } }
        : {}),
      bearerToken: config.registry.bearerToken,
      tls: optionalTls(config.registry.ssl),
      requestTimeoutMs: config.registry.requestTimeoutMs,
    },
    cxone: {
      baseUrl: cxone.baseUrl,
      requestTimeoutMs: cxone.requestTimeoutMs,
      connections: cxone.connections,
      auth: {
        ...cxone.auth,
        tokenPath: cxone.auth.tokenPath ?? DEFAULT_TOKEN_PATHS[cxone.auth.style],
        readClientSecret: rereader(secretFiles['cxone.auth.clientSecret']),
        readAccessKeySecret: rereader(secretFiles['cxone.auth.accessKeySecret']),
        scopes: cxone.auth.scopes ?? scopesForActions(config.routes.map((route) => route.action)),
      },
      paths: cxone.paths,
      retry: cxone.retry,
      journeyCacheTtlMs: cxone.journeyCacheTtlMs,
      contactCacheTtlMs: cxone.contactCacheTtlMs,
      dataActions: cxone.dataActions,
      rateLimit: cxone.rateLimit,
      breaker: cxone.breaker,
    },
    processor: {
      topics: kafka.topics,
      routes: config.routes.map(routeDefinition),
      unrouted: processing.unrouted,
      maxPayloadBytes: processing.maxPayloadBytes,
      maxValueBytes: config.decode.maxValueBytes,
      readerSchemas: config.decode.readerSchemas,
      subjectNameStrategy: config.output.subjectNameStrategy,
      autoRegisterSchemas: config.registry.autoRegister,
      pii: config.audit,
      onRecordFault: processing.onRecordFault,
      maxEventAgeMs: processing.maxEventAgeMs,
      holdRetryMs: processing.recordRetryMaxMs,
    },
    limits: limitsOf(processing, kafka.keepClaimsAcrossRebalance),
    dedup: config.dedup,
    auditChain: checkpointPolicy(config.audit),
    start: {
      startFromMs:
        kafka.startFrom === undefined || kafka.startFrom === 'earliest' || kafka.startFrom === 'latest'
          ? undefined
          : Date.parse(kafka.startFrom),
      chosen: kafka.startFrom !== undefined || processing.maxEventAgeMs !== undefined,
    },
    drainTimeoutMs: processing.drainTimeoutMs,
    routeBlocks: { probeIntervalMs: processing.configFaultProbeMs, logIntervalMs: 60_000 },
    lagSampleMs: config.observability.lagSampleMs,
  };
}

/** Where each token style asks, on cxone.baseUrl, unless tokenPath or tokenUrl says otherwise. */
const DEFAULT_TOKEN_PATHS: Record<TokenStyle, string> = {
  basic: '/api/v2/oauth/token',
  form: '/api/v2/oauth/token',
  'access-key': '/authentication/v1/token/access-key',
  password: '/auth/token',
};

/** registry.ssl as Node's TLS options (undici and https take them); undefined: Node's defaults. */
function optionalTls(ssl: ConnectorConfig['registry']['ssl']): ConnectionOptions | undefined {
  const settings = tlsSettings(ssl);
  return settings ? tlsOptions(settings) : undefined;
}

/** kafka.ssl and registry.ssl share one schema. */
function tlsSettings(ssl: ConnectorConfig['kafka']['ssl']): TlsSettings | undefined {
  if (ssl === undefined || !ssl.enabled) return undefined;
  return {
    ca: ssl.ca,
    cert: ssl.cert,
    key: ssl.key,
    keyPassword: ssl.keyPassword,
    servername: ssl.servername,
    verify: ssl.verify,
  };
}

function kafkaSasl(
  sasl: ConnectorConfig['kafka']['sasl'],
  secretFiles: Readonly<Record<string, string>>,
): KafkaSasl | undefined {
  if (sasl === undefined) return undefined;
  // The schema has checked that each mechanism's fields are there.
  const field = (value: string | undefined): string => value ?? '';
  switch (sasl.mechanism) {
    case 'plain':
    case 'scram-sha-256':
    case 'scram-sha-512':
      return { mechanism: sasl.mechanism, username: field(sasl.username), password: field(sasl.password) };
    case 'oauthbearer':
      return {
        mechanism: 'oauthbearer',
        tokenUrl: field(sasl.tokenUrl),
        clientId: field(sasl.clientId),
        clientSecret: field(sasl.clientSecret),
        scope: sasl.scope,
        refreshMarginMs: sasl.refreshMarginMs,
        readClientSecret: rereader(secretFiles['kafka.sasl.clientSecret']),
      };
    case 'aws-msk-iam':
      return {
        mechanism: 'aws-msk-iam',
        region: field(sasl.region),
        credentials:
          sasl.accessKeyId !== undefined
            ? {
                accessKeyId: sasl.accessKeyId,
                secretAccessKey: field(sasl.secretAccessKey),
                sessionToken: sasl.sessionToken,
              }
            : undefined,
      };
  }
}

/** The audit checkpoints' policy; the key id defaults to a digest of the public key, so rotation renames it. */
function checkpointPolicy(audit: ConnectorConfig['audit']): CheckpointPolicy {
  const privateKey = audit.signingKey === undefined ? undefined : ed25519PrivateKey(audit.signingKey);
  const keyId = audit.signingKeyId ?? (privateKey && keyIdOf(privateKey));
  return {
    every: audit.checkpointEvery,
    intervalMs: audit.checkpointIntervalMs,
    signer: privateKey && keyId ? { keyId, privateKey } : undefined,
  };
}

function rereader(file: string | undefined): (() => string | undefined) | undefined {
  if (file === undefined) return undefined;
  return () => {
    try {
      return readFileSync(file, 'utf8').trim() || undefined;
    } catch {
      // Mid-rotation (Kubernetes swaps the symlink): keep the secret read last.
      return undefined;
    }
  };
}

/** The schema's refinement guarantees each action's own fields; this narrows the type to match. */
function routeDefinition(route: RouteConfig): RouteDefinition {
  const base = {
    name: route.name,
    eventTypes: route.eventTypes,
    when: route.when,
    fields: route.fields,
    requiredIdentifiers: route.requiredIdentifiers,
    idempotencyKey: route.idempotencyKey,
  };
  if (route.action === 'data-action') {
    return {
      ...base,
      action: 'data-action',
      actionId: required(route.actionId, route.name, 'actionId'),
      inputs: required(route.inputs, route.name, 'inputs'),
      context: route.context,
      callbackUrl: route.callbackUrl,
    };
  }
  return {
    ...base,
    action: 'journey-trigger',
    journeyId: required(route.journeyId, route.name, 'journeyId'),
  };
}

function required(value: string | undefined, route: string, key: string): string {
  if (value === undefined) throw new Error(`route "${route}" has no ${key} (config validation ensures it)`);
  return value;
}
