/**
 * The one configuration schema. Raw YAML (plus environment overrides) is parsed
 * here with every default in one place; `compileConfig` then turns the result
 * into the shape the app consumes. Durations are always `…Ms` numbers.
 */
import { z } from 'zod';

const topicName = z
  .string()
  .min(1)
  .max(249)
  .regex(/^[a-zA-Z0-9._-]+$/, 'a Kafka topic name uses only letters, digits, ".", "_" and "-"');

const durationMs = z.number().int().nonnegative();

export const retryPolicySchema = z
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

const kafkaSchema = z
  .object({
    brokers: z.array(z.string().min(1)).min(1),
    clientId: z.string().min(1).default('cxone-connector'),
    groupId: z.string().min(1).default('cxone-connector'),
    inputTopics: z.array(topicName).min(1).default(['cdp.events']),
    fromBeginning: z.boolean().default(true),
    sessionTimeoutMs: durationMs.default(30_000),
    heartbeatIntervalMs: durationMs.default(3_000),
    connectionTimeoutMs: durationMs.default(10_000),
    topics: z
      .object({
        results: topicName.default('cxone.results'),
        audit: topicName.default('cxone.audit'),
        dlq: topicName.default('cxone.dlq'),
        dedup: topicName.default('cxone.dedup'),
      })
      .strict()
      .default({ results: 'cxone.results', audit: 'cxone.audit', dlq: 'cxone.dlq', dedup: 'cxone.dedup' }),
  })
  .strict();

const registrySchema = z
  .object({
    /** Base URL of a Confluent-compatible API, e.g. Apicurio's http://host:8080/apis/ccompat/v7 */
    url: z.url(),
    username: z.string().optional(),
    password: z.string().optional(),
  })
  .strict();

const cxoneAuthSchema = z
  .object({
    /** `basic`: HTTP Basic + grant_type form (seed 000). `form`: client_id/client_secret in the form (seed 002). */
    style: z.enum(['basic', 'form']).default('basic'),
    tokenPath: z.string().startsWith('/').default('/api/v2/oauth/token'),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    scopes: z.array(z.string().min(1)).default(['journeys:trigger', 'contacts:read']),
    /** Refresh this long before the token expires, so no request carries a token about to lapse. */
    refreshMarginMs: durationMs.default(60_000),
  })
  .strict();

const cxonePathsSchema = z
  .object({
    contact: z.string().default('/api/v1/contacts/{contactId}'),
    journey: z.string().default('/api/v1/journeys/{journeyId}'),
    trigger: z.string().default('/api/v1/journeys/{journeyId}/trigger'),
  })
  .strict();

const cxoneSchema = z
  .object({
    baseUrl: z.url(),
    /** Plain HTTP is refused unless this is set: it exists for the local simulator. */
    allowInsecureHttp: z.boolean().default(false),
    auth: cxoneAuthSchema,
    paths: cxonePathsSchema.default({
      contact: '/api/v1/contacts/{contactId}',
      journey: '/api/v1/journeys/{journeyId}',
      trigger: '/api/v1/journeys/{journeyId}/trigger',
    }),
    requestTimeoutMs: durationMs.min(1).default(10_000),
    connections: z.number().int().min(1).max(1024).default(64),
    retry: retryPolicySchema.default({
      maxAttempts: 6,
      initialDelayMs: 200,
      maxDelayMs: 10_000,
      multiplier: 2,
      maxElapsedMs: 60_000,
    }),
    journeyCacheTtlMs: durationMs.default(60_000),
  })
  .strict();

/** A field path into the decoded event: dot-separated, e.g. `identifiers.email`. */
const fieldPath = z.string().regex(/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/, 'a field path like "identifiers.email"');

const journeyRouteSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'a route name uses lowercase letters, digits, "-" and "_"'),
    /** Only events whose `eventTypeField` equals one of these take this route; empty matches all. */
    eventTypes: z.array(z.string().min(1)).default([]),
    journeyId: z.string().min(1),
    fields: z
      .object({
        eventId: fieldPath.default('eventId'),
        eventType: fieldPath.default('eventType'),
        contactId: fieldPath.default('contactId'),
        timestamp: fieldPath.default('occurredAt'),
        identifiers: fieldPath.default('identifiers'),
        directives: fieldPath.optional(),
      })
      .strict()
      .default({
        eventId: 'eventId',
        eventType: 'eventType',
        contactId: 'contactId',
        timestamp: 'occurredAt',
        identifiers: 'identifiers',
      }),
    requiredIdentifiers: z.array(z.string().min(1)).default(['email', 'external_id']),
  })
  .strict();

const observabilitySchema = z
  .object({
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    metricsPort: z.number().int().min(0).max(65535).default(9464),
    metricsHost: z.string().default('0.0.0.0'),
  })
  .strict();

const processingSchema = z
  .object({
    /** How many records of one partition may be in flight at once (distinct keys only). */
    maxInFlightPerPartition: z.number().int().min(1).max(10_000).default(32),
    maxPayloadBytes: z.number().int().min(1).default(102_400),
  })
  .strict();

export const configSchema = z
  .object({
    kafka: kafkaSchema,
    registry: registrySchema,
    cxone: cxoneSchema,
    routes: z.array(journeyRouteSchema).min(1),
    processing: processingSchema.default({ maxInFlightPerPartition: 32, maxPayloadBytes: 102_400 }),
    observability: observabilitySchema.default({ logLevel: 'info', metricsPort: 9464, metricsHost: '0.0.0.0' }),
  })
  .strict()
  .superRefine((config, ctx) => {
    const url = new URL(config.cxone.baseUrl);
    if (url.protocol !== 'https:' && !config.cxone.allowInsecureHttp) {
      ctx.addIssue({
        code: 'custom',
        path: ['cxone', 'baseUrl'],
        message: 'CXone must be reached over https; set cxone.allowInsecureHttp: true only for the local simulator',
      });
    }
    const names = new Set<string>();
    config.routes.forEach((route, index) => {
      if (names.has(route.name)) {
        ctx.addIssue({ code: 'custom', path: ['routes', index, 'name'], message: `duplicate route name "${route.name}"` });
      }
      names.add(route.name);
    });
  });

export type ConnectorConfig = z.infer<typeof configSchema>;
export type JourneyRouteConfig = z.infer<typeof journeyRouteSchema>;
export type RetryPolicy = z.infer<typeof retryPolicySchema>;
export type CxoneConfig = z.infer<typeof cxoneSchema>;
export type KafkaConfig = z.infer<typeof kafkaSchema>;
