// The operations behind /_sim and the in-process Simulator API: stats snapshot, reset, faults,
// token revocation.
import type { SimControl } from './control-routes.ts';
import { applyRuntimePatch } from './options.ts';
import { createRandom, deriveSeed } from './random.ts';
import type { SimWorld } from './world.ts';

export function createSimControl(world: SimWorld, resetRateLimit: () => void): SimControl {
  const seed = world.options.seed;
  return {
    stats({ byKey = true } = {}) {
      const { effects, stats } = world;
      return {
        seed,
        requests: stats.requests(),
        effects: {
          total: effects.total(),
          distinctKeys: effects.distinctKeys(),
          duplicates: effects.duplicates(),
          ...(byKey ? { byKey: effects.byKey() } : {}),
        },
        triggersAccepted: stats.scalars.triggersAccepted,
        invocations: world.invocations.counts(),
        sent429: stats.scalars.sent429,
        tokensIssued: stats.scalars.tokensIssued,
        tokensRevoked: stats.scalars.tokensRevoked,
        faultsInjected: { ...stats.faults },
        idempotency: { ...stats.idempotency },
      };
    },
    reset() {
      // Tokens and faults survive a reset: a connector under test keeps its cached token across
      // test cases, and faults are configuration, not state. Random streams restart from the seed.
      world.idempotency.clear();
      world.effects.clear();
      world.invocations.clear();
      world.stats.clear();
      resetRateLimit();
      world.faultRandom = createRandom(deriveSeed(seed, 1));
      world.asyncRandom = createRandom(deriveSeed(seed, 2));
      world.logger.info('simulator state reset');
    },
    faults: () => ({ ...world.runtime }),
    setFaults(patch) {
      world.runtime = applyRuntimePatch(world.runtime, patch);
    },
    revokeTokens() {
      const revoked = world.tokens.revokeAll();
      world.stats.scalars.tokensRevoked += revoked;
      return revoked;
    },
  };
}
