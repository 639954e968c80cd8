// Simulator options: one zod schema, staged raw input -> defaults applied -> validated.
// Runtime options (faults, TTLs, async behaviour) can also be changed while running through
// setFaults() / POST /_sim/faults, with the same names; they are validated by the same fields.
import { z } from 'zod';
import { fixturesSchema } from './fixtures-schema.ts';

const rate = z.number().min(0).max(1);
const nonNegative = z.number().min(0);

const runtimeFields = z.strictObject({
  tokenTtlS: z.number().int().min(1),
  idempotencyTtlS: z.number().positive(),
  // Latency added to every /api request: latencyMs plus a jitter drawn from the distribution,
  // uniform in [0, latencyJitterMs] or exponential with mean latencyJitterMs (a long tail).
  latencyMs: nonNegative,
  latencyJitterMs: nonNegative,
  latencyDistribution: z.enum(['uniform', 'exponential']),
  rate429: rate,
  retryAfterS: z.number().int().min(0),
  retryAfterFormat: z.enum(['seconds', 'http-date']),
  // Hard token bucket over all /api requests (0 disables). Burst 0 means one second worth (= rps).
  rateLimitRps: nonNegative,
  rateLimitBurst: nonNegative,
  rate5xx: rate,
  rateHang: rate,
  hangMs: z.number().int().min(0),
  rateDrop: rate,
  // Fraction of faults on effectful POSTs (trigger, invoke) injected after the effect was applied.
  faultAfterEffectRatio: rate,
  asyncDelayMs: z.number().int().min(0),
  asyncFailRate: rate,
  asyncCancelRate: rate,
});

export type RuntimeOptions = z.infer<typeof runtimeFields>;
export type RuntimeOptionsPatch = Partial<RuntimeOptions>;

export const RUNTIME_DEFAULTS: Readonly<RuntimeOptions> = {
  tokenTtlS: 3600,
  idempotencyTtlS: 86_400,
  latencyMs: 0,
  latencyJitterMs: 0,
  latencyDistribution: 'uniform',
  rate429: 0,
  retryAfterS: 1,
  retryAfterFormat: 'seconds',
  rateLimitRps: 0,
  rateLimitBurst: 0,
  rate5xx: 0,
  rateHang: 0,
  hangMs: 30_000,
  rateDrop: 0,
  faultAfterEffectRatio: 0.5,
  asyncDelayMs: 1000,
  asyncFailRate: 0,
  asyncCancelRate: 0,
};

const runtimePatchSchema = runtimeFields.partial();

const staticFields = z.strictObject({
  clientId: z.string().min(1).default('sim-client'),
  clientSecret: z.string().min(1).default('sim-secret'),
  contacts: z.number().int().min(0).default(1000),
  maxBodyBytes: z.number().int().positive().default(102_400),
  // First request of at most this many effects is kept for GET /_sim/effects/{key}; counts are always kept.
  maxRetainedEffects: z.number().int().min(0).default(100_000),
  seed: z.number().int().optional(),
  fixtures: fixturesSchema.optional(),
  ...runtimePatchSchema.shape,
});

export type SimOptionsInput = z.input<typeof staticFields>;
export type SimOptions = Omit<z.output<typeof staticFields>, keyof RuntimeOptions | 'seed'> &
  RuntimeOptions & { seed: number };

export class SimOptionsError extends Error {
  readonly code = 'SIM_INVALID_OPTIONS';
  readonly issues: readonly string[];
  constructor(issues: readonly string[]) {
    super(`invalid simulator options: ${issues.join('; ')}`);
    this.name = 'SimOptionsError';
    this.issues = issues;
  }
}

function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

// Rates are drawn from one uniform number per request, so they must fit in [0, 1] together.
function combinationIssues(o: RuntimeOptions): string[] {
  const issues: string[] = [];
  if (o.rate429 + o.rate5xx + o.rateHang + o.rateDrop > 1) {
    issues.push('rate429 + rate5xx + rateHang + rateDrop: must not exceed 1');
  }
  if (o.asyncFailRate + o.asyncCancelRate > 1)
    issues.push('asyncFailRate + asyncCancelRate: must not exceed 1');
  return issues;
}

function definedEntries<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function parseSimOptions(input: unknown): SimOptions {
  const parsed = staticFields.safeParse(input ?? {});
  if (!parsed.success) throw new SimOptionsError(formatIssues(parsed.error));
  const { seed, ...rest } = parsed.data;
  const options: SimOptions = {
    ...RUNTIME_DEFAULTS,
    ...(definedEntries(rest) as typeof rest),
    // No seed: pick one and report it in stats, so a surprising run can be replayed.
    seed: seed ?? Math.floor(Math.random() * 2 ** 31),
  } as SimOptions;
  const issues = combinationIssues(options);
  if (issues.length > 0) throw new SimOptionsError(issues);
  return options;
}

export function applyRuntimePatch(current: RuntimeOptions, patch: unknown): RuntimeOptions {
  const parsed = runtimePatchSchema.safeParse(patch);
  if (!parsed.success) throw new SimOptionsError(formatIssues(parsed.error));
  const next: RuntimeOptions = { ...current, ...(definedEntries(parsed.data) as RuntimeOptionsPatch) };
  const issues = combinationIssues(next);
  if (issues.length > 0) throw new SimOptionsError(issues);
  return next;
}

export function pickRuntime(options: SimOptions): RuntimeOptions {
  const out = {} as Record<string, unknown>;
  for (const key of Object.keys(RUNTIME_DEFAULTS)) out[key] = (options as Record<string, unknown>)[key];
  return out as RuntimeOptions;
}
