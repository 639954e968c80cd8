/** The `cxone` section: the tenant, its token flows, paths, data actions, rate limit and breaker. */
import { z } from 'zod';
import { TOKEN_STYLES } from '../../cxone/token-provider.ts';
import { durationMs, retryPolicySchema } from './common.ts';

export const cxoneAuthSchema = z
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

export const cxoneSchema = z
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
