/**
 * The `sim` command's flags: what main.ts parses and prints in `sim --help`,
 * and what sim/main.ts converts into simulator options. Apart from the
 * simulator itself so that loading the CLI does not load the simulator.
 */
// flag -> option name, kind and what it does. Numbers are converted here and range-checked by the schema.
export const SIM_FLAGS = {
  'client-id': ['clientId', 'string', 'OAuth client id (default sim-client)'],
  'client-secret': ['clientSecret', 'string', 'OAuth client secret (default sim-secret)'],
  contacts: ['contacts', 'number', 'generated contacts c-000001..c-<n> (default 1000)'],
  seed: ['seed', 'number', 'seed for injected randomness (default: random, see /_sim/stats)'],
  'max-body-bytes': ['maxBodyBytes', 'number', 'request body limit (default 102400)'],
  'token-ttl-s': ['tokenTtlS', 'number', 'access token lifetime (default 3600)'],
  'idempotency-ttl-s': ['idempotencyTtlS', 'number', 'Idempotency-Key lifetime (default 86400)'],
  'latency-ms': ['latencyMs', 'number', 'added latency per request'],
  'latency-jitter-ms': ['latencyJitterMs', 'number', 'jitter on the added latency'],
  'latency-distribution': ['latencyDistribution', 'string', 'uniform | exponential'],
  'rate-429': ['rate429', 'number', 'share of requests answered 429 (0..1)'],
  'retry-after-s': ['retryAfterS', 'number', 'Retry-After on a 429'],
  'retry-after-format': ['retryAfterFormat', 'string', 'seconds | http-date'],
  'rate-limit-rps': ['rateLimitRps', 'number', 'hard token bucket over /api, requests/s (0 = off)'],
  'rate-limit-burst': ['rateLimitBurst', 'number', "that bucket's burst"],
  'rate-5xx': ['rate5xx', 'number', 'share answered 5xx (0..1)'],
  'rate-hang': ['rateHang', 'number', 'share that hang (0..1)'],
  'hang-ms': ['hangMs', 'number', 'how long a hang lasts'],
  'rate-drop': ['rateDrop', 'number', 'share whose connection is dropped (0..1)'],
  'fault-after-effect-ratio': [
    'faultAfterEffectRatio',
    'number',
    'share of faults on trigger/invoke after the effect (default 0.5)',
  ],
  'async-delay-ms': ['asyncDelayMs', 'number', 'how long an async data action runs'],
  'async-fail-rate': ['asyncFailRate', 'number', 'share of async invocations that fail (0..1)'],
  'async-cancel-rate': ['asyncCancelRate', 'number', 'share of async invocations cancelled (0..1)'],
} as const satisfies Record<string, readonly [string, 'string' | 'number', string]>;

/** The `sim` command's options, in the shape of the CLI's option table (the CLI parses them). */
export const SIM_OPTIONS: Readonly<
  Record<string, { type: 'string'; valueName: string; description: string }>
> = {
  host: { type: 'string', valueName: 'addr', description: 'listen address (default 127.0.0.1)' },
  port: { type: 'string', valueName: 'n', description: 'listen port, 0 for a free one (default 8089)' },
  fixtures: {
    type: 'string',
    valueName: 'file',
    description: 'YAML/JSON with contacts, journeys, dataActions, clients',
  },
  ...Object.fromEntries(
    Object.entries(SIM_FLAGS).map(([flag, [, kind, description]]) => [
      flag,
      { type: 'string', valueName: kind === 'number' ? 'n' : 'value', description },
    ]),
  ),
};
