// The effect ledger behind /_sim/stats and /_sim/effects/{key}: honest counts, bounded retention,
// and cheap summaries with 100k keys.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEffectLedger, redactHeaders } from '../../../src/sim/effects.ts';
import type { EffectRequest } from '../../../src/sim/effects.ts';

const request =
  (body: unknown): (() => EffectRequest) =>
  () => ({
    method: 'POST',
    path: '/x',
    headers: {},
    body,
    receivedAt: '2024-01-01T00:00:00.000Z',
  });

describe('sim effect ledger', () => {
  it('counts duplicates honestly and keeps the first request', () => {
    const ledger = createEffectLedger(10);
    ledger.record('a', request(1));
    ledger.record('a', request(2));
    ledger.record('b', request(3));
    assert.equal(ledger.total(), 3);
    assert.deepEqual(ledger.duplicates(), { a: 2 });
    assert.equal(ledger.get('a')?.first?.body, 1);
  });

  it('stops retaining first requests beyond the bound but keeps counting', () => {
    const ledger = createEffectLedger(1);
    ledger.record('a', request(1));
    ledger.record('b', request(2));
    assert.equal(ledger.get('b')?.count, 1);
    assert.equal(ledger.get('b')?.first, undefined);
  });

  it('summarises 100k keys quickly, and the summary without byKey is O(duplicates)', () => {
    const ledger = createEffectLedger(100_000);
    for (let i = 0; i < 100_000; i++) ledger.record(`key-${i}`, request(i));
    let started = performance.now();
    for (let i = 0; i < 1000; i++) {
      ledger.total();
      ledger.distinctKeys();
      ledger.duplicates();
    }
    assert.ok(performance.now() - started < 50, 'summary is cheap');
    started = performance.now();
    assert.equal(Object.keys(ledger.byKey()).length, 100_000);
    assert.ok(performance.now() - started < 500, 'full byKey stays well under a second');
  });

  it('never keeps credentials in stored headers', () => {
    const headers = redactHeaders({
      authorization: 'Bearer x',
      cookie: 'c',
      'idempotency-key': 'k',
      none: undefined,
    });
    assert.deepEqual(headers, { 'idempotency-key': 'k' });
  });
});
