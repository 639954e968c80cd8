// Option parsing: defaults, every issue reported at once, and the combined-rate rule.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyRuntimePatch,
  parseSimOptions,
  RUNTIME_DEFAULTS,
  SimOptionsError,
} from '../../../src/sim/options.ts';

describe('sim options', () => {
  it('applies defaults', () => {
    const o = parseSimOptions({ seed: 3 });
    assert.equal(o.clientId, 'sim-client');
    assert.equal(o.clientSecret, 'sim-secret');
    assert.equal(o.contacts, 1000);
    assert.equal(o.maxBodyBytes, 102_400);
    assert.equal(o.idempotencyTtlS, 86_400);
    assert.equal(o.faultAfterEffectRatio, 0.5);
    assert.equal(o.seed, 3);
  });

  it('picks and reports a seed when none is given', () => {
    assert.equal(typeof parseSimOptions({}).seed, 'number');
  });

  it('reports every invalid option with its path', () => {
    assert.throws(
      () => parseSimOptions({ rate429: 1.5, tokenTtlS: 0, contacts: -1, unknown: true }),
      (err: unknown) => {
        assert.ok(err instanceof SimOptionsError);
        assert.equal(err.code, 'SIM_INVALID_OPTIONS');
        assert.equal(err.issues.length, 4);
        assert.ok(err.issues.some((i) => i.startsWith('rate429:')));
        return true;
      },
    );
  });

  it('rejects fault rates that add up to more than 1', () => {
    assert.throws(() => parseSimOptions({ rate5xx: 0.7, rateDrop: 0.4 }), SimOptionsError);
    assert.throws(() => parseSimOptions({ asyncFailRate: 0.7, asyncCancelRate: 0.4 }), SimOptionsError);
  });

  it('patches runtime options without resetting the others to defaults', () => {
    const current = { ...RUNTIME_DEFAULTS, latencyMs: 50 };
    const next = applyRuntimePatch(current, { rate429: 0.2 });
    assert.equal(next.latencyMs, 50);
    assert.equal(next.rate429, 0.2);
    assert.throws(() => applyRuntimePatch(current, { clientId: 'x' }), SimOptionsError);
  });
});
