/**
 * The one configuration schema: raw YAML (plus environment overrides) is
 * validated here and every default is stated here, once, on its own field (a
 * section left out is `prefault({})`: parsed as an empty object, so its
 * fields' defaults apply). `compileConfig` (compile-config.ts) then turns the
 * result into each component's own options. Durations are always `…Ms`.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { MAX_CHECKPOINT_SPAN } from '../audit/chain-writer.ts';
import { readerSchemaProblem } from '../decode/reader-schema.ts';
import { TOKEN_STYLES } from '../cxone/token-provider.ts';
import { ROUTE_ACTIONS, UNROUTED_POLICIES } from '../mapping/route-definition.ts';
import { expressionProblem } from '../mapping/route-expression.ts';
import { SUBJECT_NAME_STRATEGIES } from '../output/output-schemas.ts';

const topicName = z
  .string()
  .min(1)
  .max(249)
  .regex(/^[a-zA-Z0-9._-]+$/, 'a Kafka topic name uses only letters, digits, ".", "_" and "-"');

const durationMs = z.number().int().nonnegative();
const isoTime = z.iso.datetime({ offset: true });

const retryPolicySchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(100).default(6),
    initialDelayMs: durationMs.default(200),
    maxDelayMs: durationMs.default(10_000),
    multiplier: z.number().min(1).max(10).default(2),
    /** Bound on the total time one call may spend retrying, Retry-After waits included. */
    maxElapsedMs: durationMs.default(60_000),
  })
  .strict()
  .refine((p) => p.maxDelayMs >= p.initialDelayMs, {
    message: 'maxDelayMs must be at least initialDelayMs',
    path: ['maxDelayMs'],
  });

/**
 * TLS to the brokers or the registry. PEM text, usually `${file:/mounted/ca.pem}`; a section
 * present turns TLS on (`enabled: false` turns it off again, e.g. from an override).
 */
const tlsSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** The CA bundle that signed the server's certificate; default: Node's public CAs. */
    ca: z.string().min(1).optional(),
    /** Client certificate and key for mutual TLS (both or neither). */
    cert: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
    keyPassword: z.string().min(1).optional(),
    /** The name the server's certificate must carry when it differs from the host dialled (SNI too). */
    servername: z.string().min(1).optional(),
    /** Off only to diagnose: a connection whose certificate is not verified can be intercepted. */
    verify: z.boolean().default(true),
  })
  .strict()
  .refine((t) => (t.cert === undefined) === (t.key === undefined), {
    message: 'cert and key go together (mutual TLS needs both)',
    path: ['key'],
  });

const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer', 'aws-msk-iam'] as const;

const kafkaSaslSchema = z
  .object({
    mechanism: z.enum(SASL_MECHANISMS),
    /** plain and scram-*: the principal's name and password. */
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /** oauthbearer: an OIDC token endpoint, asked with client credentials (HTTP Basic). */
    tokenUrl: z.url().optional(),
    /** oauthbearer: accept an http:// tokenUrl, which sends the client secret in clear (a local test IdP only). */
    allowInsecureHttp: z.boolean().default(false),
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    scope: z.string().min(1).optional(),
    /** oauthbearer: refresh the token this long before it expires. */
    refreshMarginMs: durationMs.default(60_000),
    /** aws-msk-iam: the cluster's region; credentials from here or the default chain (the pod's role). */
    region: z.string().min(1).optional(),
    accessKeyId: z.string().min(1).optional(),
    secretAccessKey: z.string().min(1).optional(),
    sessionToken: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((sasl, ctx) => {
    const need = (key: keyof typeof sasl): void => {
      if (sasl[key] !== undefined) return;
      const secret = /secret|password/i.test(key);
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `required for mechanism ${sasl.mechanism}${secret ? ': set it as "${env:NAME}" or "${file:/path}" so it stays out of the file' : ''}`,
      });
    };
    if (['plain', 'scram-sha-256', 'scram-sha-512'].includes(sasl.mechanism)) {
      need('username');
      need('password');
    }
    if (sasl.mechanism === 'oauthbearer') {
      need('tokenUrl');
      need('clientId');
      need('clientSecret');
    }
    if (sasl.mechanism === 'aws-msk-iam') {
      need('region');
      if ((sasl.accessKeyId === undefined) !== (sasl.secretAccessKey === undefined))
        ctx.addIssue({
          code: 'custom',
          path: ['secretAccessKey'],
          message: 'accessKeyId and secretAccessKey go together; leave both out to use the pod role',
        });
    }
  });

const kafkaSchema = z
  .object({
    brokers: z.array(z.string().min(1)).min(1),
    ssl: tlsSchema.optional(),
    sasl: kafkaSaslSchema.optional(),
    /** Accept SASL without kafka.ssl (SASL_PLAINTEXT): credentials and records in clear, for a network you trust. */
    allowPlaintextSasl: z.boolean().default(false),
    clientId: z.string().min(1).default('cxone-connector'),
    groupId: z.string().min(1).default('cxone-connector'),
    inputTopics: z.array(topicName).min(1).default(['cdp.events']),
    /**
     * Where a group with no committed offset starts on a partition: `earliest` (everything the topic
     * still holds: a first deployment on an existing topic acts on its whole retention), `latest`
     * (only what arrives after the first start), or an ISO-8601 time with offset (the first record
     * at or after it). Once offsets are committed this is never used again. No default: a group
     * with no committed offsets refuses to start until this or processing.maxEventAgeMs is set.
     */
    startFrom: z
      .string()
      .refine((v) => v === 'earliest' || v === 'latest' || isoTime.safeParse(v).success, {
        message: 'must be earliest, latest or an ISO-8601 time such as 2026-12-01T00:00:00Z',
      })
      .optional(),
    sessionTimeoutMs: durationMs.default(30_000),
    heartbeatIntervalMs: durationMs.default(3_000),
    connectionTimeoutMs: durationMs.default(10_000),
    /**
     * How often the consumer reads the topics' metadata again (Kafka's metadata.max.age.ms): how
     * soon partitions added to an input topic are seen and assigned.
     */
    metadataMaxAgeMs: durationMs.min(1000).default(300_000),
    /**
     * How a previous owner of a partition is kept from committing for it. `group` (KIP-447,
     * brokers 2.5 and later): one transactional producer per instance commits every partition it
     * owns in one transaction, with the group's generation, and the broker refuses a member whose
     * generation is over. `partition` (for older brokers): one transactional producer per input
     * partition, whose id a new owner takes over.
     */
    fencing: z.enum(['group', 'partition']).default('group'),
    /**
     * Transactional ids start with it: `<prefix>-<instance id>` (group fencing) or
     * `<prefix>-<topic>-<partition>` (partition fencing). Defaults to the group id.
     */
    transactionalIdPrefix: z.string().min(1).optional(),
    /**
     * This instance's stable name (group fencing: its transactional id is `<prefix>-<instanceId>`).
     * The chart sets it to the pod name. A restarted instance with the same name fences its own
     * predecessor at once, aborting the transaction it left open, instead of its partitions waiting
     * for the broker to time it out. Unset: a random name per start. Two live processes given the
     * same name fence each other (README "Instance identity").
     */
    instanceId: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,200}$/, 'letters, digits, ".", "_" and "-" only (at most 200)')
      .optional(),
    /**
     * With kafka.instanceId set, the consumer is a static group member under that name (KIP-345,
     * brokers 2.3 and later): an instance that crashed and restarts under the same name takes its
     * partitions back at once, without a rebalance and without waiting for its old session to
     * time out. false: a dynamic member. Without an instanceId it has no effect.
     */
    staticMembership: z.boolean().default(true),
    /**
     * A static member leaves the group when it shuts down, so its partitions move at once. Set it
     * to false where the same name comes back (a StatefulSet pod): a rolling restart then moves no
     * partition at all, and those of an instance that never returns move after sessionTimeoutMs.
     * A dynamic member always leaves.
     */
    leaveGroupOnShutdown: z.boolean().default(true),
    /**
     * The broker aborts a transaction open this long (Kafka Streams' exactly-once default). With
     * group fencing, the new owners of a crashed instance's partitions wait up to this (plus the
     * broker's 10 s cleanup interval) for its open transaction to end.
     */
    transactionTimeoutMs: durationMs.min(1000).default(10_000),
    /**
     * A partition assigned to this instance in two consecutive group generations keeps its claim
     * (producer, dedup state, worker) instead of being claimed afresh: nobody else can have owned
     * it in between. false claims every partition again at every rebalance.
     */
    keepClaimsAcrossRebalance: z.boolean().default(true),
    /** One fetch response at most (kafkajs maxBytes); what is buffered can exceed the processing bounds by this. */
    fetchMaxBytes: z.number().int().min(1024).default(4_194_304),
    fetchMaxBytesPerPartition: z.number().int().min(1024).default(262_144),
    topics: z
      .object({
        results: topicName.default('cxone.results'),
        audit: topicName.default('cxone.audit'),
        dlq: topicName.default('cxone.dlq'),
        dedup: topicName.default('cxone.dedup'),
        /** Signed checkpoints of the audit chains (audit.signingKey); keep it at least as long as the audit topic. */
        auditCheckpoints: topicName.default('cxone.audit.checkpoints'),
        /** What `cxone-connector dlq replay` has replayed (compacted; created by the first replay). */
        replays: topicName.default('cxone.dlq.replays'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

const registrySchema = z
  .object({
    /** Base URL of a Confluent-compatible API, e.g. Apicurio's http://host:8080/apis/ccompat/v7 */
    url: z.url(),
    /** Basic auth (Confluent Cloud: the schema registry API key and secret). */
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /** A bearer token instead of basic auth. */
    bearerToken: z.string().min(1).optional(),
    /** Accept an http:// url while credentials are set: they would travel in clear (a local test only). */
    allowInsecureHttp: z.boolean().default(false),
    ssl: tlsSchema.optional(),
    /** Request timeout per registry call. */
    requestTimeoutMs: durationMs.min(100).default(10_000),
    /**
     * true: the output schemas are registered at start (and the subjects' compatibility set).
     * false: the schemas already registered for the output subjects are used as they are; a
     * subject missing or incompatible with the connector's schema fails the start.
     */
    autoRegister: z.boolean().default(true),
  })
  .strict()
  .refine((r) => (r.username === undefined) === (r.password === undefined), {
    message: 'username and password go together',
    path: ['password'],
  })
  .refine((r) => r.bearerToken === undefined || r.username === undefined, {
    message: 'use basic auth (username, password) or bearerToken, not both',
    path: ['bearerToken'],
  });

const cxoneAuthSchema = z
  .object({
    /**
     * How the token is asked for (cxone/token-provider.ts): `basic` and `form` are the seeds'
     * client credentials; `access-key` is CXone's access-key token request (JSON accessKeyId and
     * accessKeySecret); `password` is CXone's back-end application flow (the access key as
     * username and password, the registered application's client id and secret).
     */
    style: z.enum(TOKEN_STYLES).default('basic'),
    /** On cxone.baseUrl. Default by style: /api/v2/oauth/token, access-key /authentication/v1/token/access-key, password /auth/token. */
    tokenPath: z.string().startsWith('/').optional(),
    /** The token endpoint as a full URL, when it is on another host than the API (it wins over tokenPath). */
    tokenUrl: z.url().optional(),
    /** Accept an http:// tokenUrl, which sends the credentials in clear (a local simulator only). */
    allowInsecureHttp: z.boolean().default(false),
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    accessKeyId: z.string().min(1).optional(),
    accessKeySecret: z.string().min(1).optional(),
    /** Default: what the routes need (journeys:trigger + contacts:read, data-actions:read + execute). */
    scopes: z.array(z.string().min(1)).optional(),
    /** Refresh this long before the token expires, so no request carries a token about to lapse. */
    refreshMarginMs: durationMs.default(60_000),
  })
  .strict()
  .superRefine((auth, ctx) => {
    const need = (key: 'clientId' | 'clientSecret' | 'accessKeyId' | 'accessKeySecret'): void => {
      if (auth[key] !== undefined) return;
      const secret = key.endsWith('Secret');
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `required for style ${auth.style}${secret ? ': set it as "${env:NAME}" or "${file:/path}" so it stays out of the file' : ''}`,
      });
    };
    if (auth.style !== 'access-key') {
      need('clientId');
      need('clientSecret');
    }
    if (auth.style === 'access-key' || auth.style === 'password') {
      need('accessKeyId');
      need('accessKeySecret');
    }
  });

const cxonePathsSchema = z
  .object({
    contact: z.string().default('/api/v1/contacts/{contactId}'),
    journey: z.string().default('/api/v1/journeys/{journeyId}'),
    trigger: z.string().default('/api/v1/journeys/{journeyId}/trigger'),
    dataAction: z.string().default('/api/v2/data-actions/{actionId}'),
    invoke: z.string().default('/api/v2/data-actions/{actionId}/invoke'),
    invokeStatus: z.string().default('/api/v2/data-actions/{actionId}/invoke/{invokeId}'),
  })
  .strict();

const cxoneDataActionsSchema = z
  .object({
    /** Action definitions change rarely; refetching per call would double the request count. */
    definitionCacheTtlMs: durationMs.default(300_000),
    /** Async polling: first wait, then doubling up to pollMaxMs (seed 002 asks for >= 3 s on long actions). */
    pollInitialMs: durationMs.min(1).default(500),
    pollMaxMs: durationMs.min(1).default(5_000),
    /** Give up polling after this long: the outcome is FAILED with CXONE_POLL_TIMEOUT (retryable). */
    maxPollTimeMs: durationMs.min(1).default(300_000),
  })
  .strict();

const cxoneRateLimitSchema = z
  .object({
    /** One limiter per tenant counts every request. Seed 002: typically 1000 requests/minute. */
    requestsPerSecond: z.number().positive().default(15),
    burst: z.number().int().min(1).default(15),
    /** AIMD: on a 429 the allowed rate is multiplied by this (at most once per decreaseCooldownMs)... */
    decreaseFactor: z.number().gt(0).lt(1).default(0.5),
    decreaseCooldownMs: durationMs.default(1_000),
    /**
     * ...and then climbs back by this many requests/second each second without a 429.
     * Default: a tenth of requestsPerSecond, so a halved rate is back in about five seconds.
     */
    recoveryPerSecond: z.number().positive().optional(),
    minRequestsPerSecond: z.number().positive().default(0.5),
  })
  .strict();

const cxoneBreakerSchema = z
  .object({
    /** Consecutive retryable failures (5xx, timeouts, network; not 429) that open the circuit. */
    consecutiveFailures: z.number().int().min(1).default(10),
    /** How long the circuit stays open before one probe request is let through. */
    halfOpenAfterMs: durationMs.min(1).default(10_000),
  })
  .strict();

const cxoneSchema = z
  .object({
    baseUrl: z.url(),
    /** Plain HTTP is refused unless this is set: it exists for the local simulator. */
    allowInsecureHttp: z.boolean().default(false),
    auth: cxoneAuthSchema,
    paths: cxonePathsSchema.prefault({}),
    requestTimeoutMs: durationMs.min(1).default(10_000),
    connections: z.number().int().min(1).max(1024).default(64),
    retry: retryPolicySchema.prefault({}),
    journeyCacheTtlMs: durationMs.default(60_000),
    /**
     * Contact eligibility is cached briefly: long enough to absorb a burst of events for one
     * contact, short enough that an unsubscribe is honoured within seconds. 0 turns it off.
     */
    contactCacheTtlMs: durationMs.default(5_000),
    dataActions: cxoneDataActionsSchema.prefault({}),
    rateLimit: cxoneRateLimitSchema.prefault({}),
    breaker: cxoneBreakerSchema.prefault({}),
  })
  .strict();

/**
 * A field mapping: a JSONata expression over the decoded event, checked here so
 * a typo fails the start with its path and the JSONata error position. A plain
 * dot path like `identifiers.email` is valid JSONata too.
 */
const expression = z
  .string()
  .min(1)
  .superRefine((source, ctx) => {
    const problem = expressionProblem(source);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

/** One route of either action; compile-config.ts turns it into the mapping stage's RouteDefinition. */
const routeSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/, 'a route name uses lowercase letters, digits, "-" and "_"'),
    /** What the route does with a matching event: trigger a journey or invoke a data action. */
    action: z.enum(ROUTE_ACTIONS).default('journey-trigger'),
    /** Only events whose `fields.eventType` equals one of these take this route; empty matches all. */
    eventTypes: z.array(z.string().min(1)).default([]),
    /** A field predicate: the route is taken only where this JSONata expression is true. */
    when: expression.optional(),
    /** Required for `action: journey-trigger`. */
    journeyId: z.string().min(1).optional(),
    /** Required for `action: data-action`. */
    actionId: z.string().min(1).optional(),
    fields: z
      .object({
        eventId: expression.default('eventId'),
        eventType: expression.default('eventType'),
        contactId: expression.default('contactId'),
        timestamp: expression.default('occurredAt'),
        identifiers: expression.default('identifiers'),
        /** Journey attributes (action directives) besides the identifiers; a record. */
        directives: expression.optional(),
      })
      .strict()
      .prefault({}),
    requiredIdentifiers: z.array(z.string().min(1)).default(['email', 'external_id']),
    /** Replaces the event id in the idempotency key `<route>:<value>`; must give a non-empty string. */
    idempotencyKey: expression.optional(),
    /** Data action inputs: an expression giving a record. */
    inputs: expression.optional(),
    /** Data action context: an expression giving a record; `{}` when absent. */
    context: expression.optional(),
    /** Data action callback URL for asynchronous (202) invocations. */
    callbackUrl: z.url().optional(),
  })
  .strict()
  .superRefine((route, ctx) => {
    const need = (key: 'journeyId' | 'actionId' | 'inputs', why: string): void => {
      if (route[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: why });
    };
    if (route.action === 'journey-trigger') need('journeyId', 'a journey-trigger route needs a journeyId');
    if (route.action === 'data-action') {
      need('actionId', 'a data-action route needs an actionId');
      need(
        'inputs',
        'a data-action route needs an inputs expression, e.g. "{ \'email\': identifiers.email }"',
      );
    }
  });

const dedupSchema = z
  .object({
    /**
     * How long an idempotency key is remembered. It must outlast the longest a
     * record can wait before it is replayed (downtime + lag) and CXone's own
     * Idempotency-Key lifetime; see README "Exactly once".
     */
    windowMs: durationMs.min(60_000).default(7 * 24 * 3_600_000),
    /**
     * A guard for the container's memory, not the window: entries held across owned partitions,
     * about 32 bytes each outside the heap (README "Dedup store"). Past it the oldest are forgotten
     * (the metric and an alert say so); CXone's Idempotency-Key still absorbs a repeat of those.
     */
    maxEntries: z.number().int().min(1000).default(5_000_000),
    restoreTimeoutMs: durationMs.min(1000).default(120_000),
    /**
     * A folder for local checkpoints of the dedup store (a persistent volume under the chart's
     * statefulset mode). A restart with its checkpoints restores only the dedup topic's tail.
     * Unset: no checkpoints, every claim reads the partition's whole retained history.
     */
    stateDir: z.string().min(1).optional(),
  })
  .strict();

const observabilitySchema = z
  .object({
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    metricsPort: z.number().int().min(0).max(65535).default(9464),
    /**
     * The ops port's bind address. Loopback by default: only this host can reach it until a
     * deployment says otherwise (the chart binds the pod IP, so probes and Prometheus reach it).
     */
    metricsHost: z.string().min(1).default('127.0.0.1'),
    /**
     * The bearer token `/status` and `/loglevel` ask for, from a mounted secret
     * (`${file:/var/run/secrets/cxone-admin/token}`, 32+ characters). Unset: both are off.
     */
    adminToken: z.string().min(32).optional(),
    /** How often the consumer lag gauges are refreshed (two admin requests per input topic). */
    lagSampleMs: durationMs.min(1000).default(10_000),
  })
  .strict();

const processingSchema = z
  .object({
    /** How many records of one partition may be in flight at once (distinct keys only). */
    maxInFlightPerPartition: z.number().int().min(1).max(10_000).default(32),
    /** How many records may be in flight at once across all partitions of the instance. */
    maxInFlight: z.number().int().min(1).max(100_000).default(256),
    /** Unfinished records one partition may hold (queued, in flight, retrying, awaiting commit) before it is paused. */
    maxBufferedPerPartition: z.number().int().min(1).max(1_000_000).default(256),
    /** The same across all partitions, in records and in bytes of record keys and values. */
    maxBufferedRecords: z.number().int().min(1).default(4_096),
    maxBufferedBytes: z.number().int().min(1024).default(33_554_432),
    /** Records per Kafka transaction: bounds what a crash throws away and how big one commit is. */
    maxRecordsPerCommit: z.number().int().min(1).max(100_000).default(500),
    /**
     * A record that still fails retryably after the CXone client's own retries (an outage, the
     * registry down) is retried after this, doubling up to recordRetryMaxMs; only later records
     * of its key wait for it.
     */
    recordRetryInitialMs: durationMs.min(1).default(1_000),
    recordRetryMaxMs: durationMs.min(1).default(30_000),
    /** How long a partition rests after a failed claim or commit before it is claimed again. */
    failureBackoffMs: durationMs.default(5_000),
    /** On shutdown, how long records in flight may take to finish before they are cut off (and replayed later). */
    drainTimeoutMs: durationMs.default(30_000),
    maxPayloadBytes: z.number().int().min(1).default(102_400),
    /** An event no route matches: `dlq` dead-letters it (NO_ROUTE), `skip` writes an UNROUTED audit record. */
    unrouted: z.enum(UNROUTED_POLICIES).default('dlq'),
    /**
     * A record fault (bad bytes, a mapping error, a 400 about this record): `dlq` dead-letters it and
     * the partition moves on; `hold` stops the partition at it (nothing after it is committed) until
     * an operator fixes the cause or switches to dlq, and restarts.
     */
    onRecordFault: z.enum(['dlq', 'hold']).default('dlq'),
    /**
     * Events older than this, by the route's own timestamp field (else the Kafka timestamp), make no
     * CXone call and get an EXPIRED result and audit record. Unset: no bound.
     */
    maxEventAgeMs: durationMs.min(1).optional(),
    /** While a route is blocked by a configuration fault, one of its records tries for real this often. */
    configFaultProbeMs: durationMs.min(100).default(5_000),
  })
  .strict()
  .refine((p) => p.recordRetryMaxMs >= p.recordRetryInitialMs, {
    message: 'recordRetryMaxMs must be at least recordRetryInitialMs',
    path: ['recordRetryMaxMs'],
  });

const decodeSchema = z
  .object({
    /** Input values over this many bytes are dead-lettered (DECODE_TOO_LARGE) before Avro decoding. */
    maxValueBytes: z.number().int().min(1).default(1_048_576),
    /**
     * Per input topic, a reader schema (.avsc path) that every writer schema is
     * resolved against, so mappings see one shape whatever version produced the event.
     */
    readerSchemas: z
      .record(
        topicName,
        z
          .string()
          .min(1)
          .superRefine((path, ctx) => {
            const problem = readerSchemaProblem(path);
            if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
          }),
      )
      .default({}),
  })
  .strict();

const outputSchema = z
  .object({
    /** How the subjects of the output schemas are named in the registry. */
    subjectNameStrategy: z.enum(SUBJECT_NAME_STRATEGIES).default('TopicNameStrategy'),
    /**
     * Which partition of the results, audit and DLQ topics a record's outputs go to. `input`: the
     * input record's partition number (modulo the topic's partition count), so one transaction
     * touches one partition per output topic; per-key order holds, since a key always comes from
     * one input partition. `key`: by a hash of the idempotency key, as a default producer would,
     * at the price of a transaction touching every output partition.
     */
    partitioning: z.enum(['input', 'key']).default('input'),
  })
  .strict();

/** The key in `pem` when it is an Ed25519 private key; undefined otherwise (never quoted: it is a secret). */
export function ed25519PrivateKey(pem: string): KeyObject | undefined {
  try {
    const key = createPrivateKey(pem);
    return key.asymmetricKeyType === 'ed25519' ? key : undefined;
  } catch {
    return undefined;
  }
}

const auditSchema = z
  .object({
    /**
     * Write an HMAC-SHA256 of the contact id to the audit topic, never the id (on by default: the
     * audit topic is read by data teams, not the CDP that owns the id). The results topic keeps the
     * id: it goes back to the CDP. `false` writes ids in clear, a choice validate-config reports.
     */
    hashPii: z.boolean().default(true),
    /** The HMAC key, from a mounted secret: `${file:/etc/cxone-connector/pii/key}`. At least 32 characters. */
    piiKey: z.string().min(32).optional(),
    /** The key's older name (at least 16 characters), read so the hashes of a deployment that set it still join. */
    piiSalt: z.string().min(16).optional(),
    /**
     * The Ed25519 private key (PEM) that signs the audit chains' checkpoints, from a mounted secret:
     * `${file:/etc/cxone-connector/audit-signing/key.pem}` (openssl genpkey -algorithm ed25519).
     * Unset: records are chained, and no checkpoint is signed (validate-config and check say so).
     */
    signingKey: z
      .string()
      .optional()
      .refine((pem) => pem === undefined || ed25519PrivateKey(pem) !== undefined, {
        message:
          'audit.signingKey is not an Ed25519 private key in PEM (make one with: openssl genpkey -algorithm ed25519)',
      }),
    /** Names the key in each checkpoint, so old checkpoints verify under their own key after a rotation. Default: derived from the public key. */
    signingKeyId: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,64}$/)
      .optional(),
    /** A checkpoint after this many records of a chain (at most 4096: the span's state rides in the offset metadata). */
    checkpointEvery: z.number().int().min(1).max(MAX_CHECKPOINT_SPAN).default(1000),
    /** A checkpoint at the first commit this long after its span began, however few records it holds. */
    checkpointIntervalMs: z.number().int().min(1000).default(60_000),
  })
  .strict()
  .superRefine((audit, ctx) => {
    if (audit.piiKey !== undefined && audit.piiSalt !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['piiSalt'],
        message: 'set audit.piiKey or its older name audit.piiSalt, not both',
      });
    }
    if (audit.hashPii && audit.piiKey === undefined && audit.piiSalt === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['piiKey'],
        message:
          'audit.hashPii is on (the default) and needs a key: mount a secret of at least 32 characters (openssl rand -hex 32) and set audit.piiKey to "${file:/path/to/it}"; or set audit.hashPii: false to write contact ids to the audit topic in clear',
      });
    }
  });

const isHttp = (url: string | undefined): boolean =>
  url !== undefined && URL.parse(url)?.protocol === 'http:';

/**
 * Every endpoint that is sent a secret must be reached over TLS, unless its own flag says a
 * local test endpoint may be reached in clear.
 */
function credentialTransportProblems(config: {
  kafka: z.infer<typeof kafkaSchema>;
  registry: z.infer<typeof registrySchema>;
  cxone: { auth: z.infer<typeof cxoneAuthSchema> };
}): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const { sasl, ssl } = config.kafka;
  if (sasl && isHttp(sasl.tokenUrl) && !sasl.allowInsecureHttp) {
    problems.push({
      path: ['kafka', 'sasl', 'tokenUrl'],
      message:
        'the OAUTHBEARER token endpoint must be https: the client secret is sent to it; set kafka.sasl.allowInsecureHttp: true only for a local test IdP',
    });
  }
  if (sasl && (ssl === undefined || !ssl.enabled) && !config.kafka.allowPlaintextSasl) {
    problems.push({
      path: ['kafka', 'sasl'],
      message: `SASL ${sasl.mechanism} without kafka.ssl sends the credentials and every record in clear: add kafka.ssl (a SASL_SSL listener), or set kafka.allowPlaintextSasl: true for a network you trust`,
    });
  }
  const { registry } = config;
  const registryAuth =
    registry.username !== undefined ||
    registry.bearerToken !== undefined ||
    (URL.parse(registry.url)?.username ?? '') !== '';
  if (registryAuth && isHttp(registry.url) && !registry.allowInsecureHttp) {
    problems.push({
      path: ['registry', 'url'],
      message:
        'the registry must be reached over https while registry.username/password or bearerToken are set: they would travel in clear; set registry.allowInsecureHttp: true only for a local test',
    });
  }
  const { auth } = config.cxone;
  if (isHttp(auth.tokenUrl) && !auth.allowInsecureHttp) {
    problems.push({
      path: ['cxone', 'auth', 'tokenUrl'],
      message:
        'the CXone token endpoint must be https: the client credentials are sent to it; set cxone.auth.allowInsecureHttp: true only for the local simulator',
    });
  }
  return problems;
}

export const configSchema = z
  .object({
    kafka: kafkaSchema,
    registry: registrySchema,
    cxone: cxoneSchema,
    routes: z.array(routeSchema).min(1),
    processing: processingSchema.prefault({}),
    decode: decodeSchema.prefault({}),
    output: outputSchema.prefault({}),
    audit: auditSchema.prefault({}),
    dedup: dedupSchema.prefault({}),
    observability: observabilitySchema.prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    // Refinements run even when a field failed; an invalid URL is already reported at its path.
    const url = URL.parse(config.cxone.baseUrl);
    if (url && url.protocol !== 'https:' && !config.cxone.allowInsecureHttp) {
      ctx.addIssue({
        code: 'custom',
        path: ['cxone', 'baseUrl'],
        message:
          'CXone must be reached over https; set cxone.allowInsecureHttp: true only for the local simulator',
      });
    }
    for (const problem of credentialTransportProblems(config)) ctx.addIssue({ code: 'custom', ...problem });
    const names = new Set<string>();
    config.routes.forEach((route, index) => {
      if (names.has(route.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['routes', index, 'name'],
          message: `duplicate route name "${route.name}"`,
        });
      }
      names.add(route.name);
    });
  });

export type ConnectorConfig = z.infer<typeof configSchema>;
export type RouteConfig = z.infer<typeof routeSchema>;
