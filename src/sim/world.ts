// The simulated tenant's state and the request context handed to route handlers. Stores are
// long-lived objects with clear(), so POST /_sim/reset keeps every reference valid.
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { EffectLedger } from './effects.ts';
import type { FixtureStore } from './fixtures.ts';
import type { Reply } from './http-io.ts';
import type { IdempotencyStore } from './idempotency.ts';
import type { InvocationStore } from './invocations.ts';
import type { RuntimeOptions, SimOptions } from './options.ts';
import type { Random } from './random.ts';
import type { StatsCounters } from './stats.ts';
import type { TokenStore } from './tokens.ts';

export interface SimWorld {
  readonly now: () => number;
  readonly logger: Logger;
  readonly options: SimOptions;
  // Current runtime options; replaced as a whole by setFaults.
  runtime: RuntimeOptions;
  readonly fixtures: FixtureStore;
  readonly tokens: TokenStore;
  readonly idempotency: IdempotencyStore;
  readonly effects: EffectLedger;
  readonly invocations: InvocationStore;
  readonly stats: StatsCounters;
  // Seeded streams: faults/latency, and async outcomes.
  faultRandom: Random;
  asyncRandom: Random;
  nextId(prefix: string): string;
}

export interface RouteContext {
  readonly req: IncomingMessage;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly params: readonly string[];
  readonly body: Buffer;
  readonly bodyTooLarge: boolean;
  // Waits for the injected latency, once per request (later calls resolve at once). Effectful
  // handlers call it after reserving the idempotency key, so concurrent duplicates see 409.
  readonly delay: () => Promise<void>;
}

export interface Route {
  method: string;
  template: string;
  // Simulator control plane: no auth, no latency, no faults.
  admin?: boolean;
  // Trigger and invoke: faults may be injected after the effect.
  effectful?: boolean;
  handle(ctx: RouteContext): Reply | Promise<Reply>;
}
