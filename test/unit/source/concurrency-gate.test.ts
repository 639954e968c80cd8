import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createConcurrencyGate } from '../../../src/source/concurrency-gate.ts';

describe('concurrency gate', () => {
  it('holds its limit and hands a released slot to the first waiter', () => {
    const seen: number[] = [];
    const gate = createConcurrencyGate(2, (n) => seen.push(n));
    assert.ok(gate.tryAcquire());
    assert.ok(gate.tryAcquire());
    assert.equal(gate.tryAcquire(), false);
    const order: string[] = [];
    gate.waitForSlot(() => order.push('first'));
    gate.waitForSlot(() => order.push('second'));
    gate.release();
    assert.deepEqual(order, ['first'], 'the slot went to the first waiter, still taken');
    assert.equal(gate.inUse(), 2);
    assert.equal(gate.tryAcquire(), false, 'nobody overtakes the queue');
    gate.release();
    gate.release();
    assert.deepEqual(order, ['first', 'second']);
    assert.equal(gate.inUse(), 1);
    assert.deepEqual(seen, [1, 2, 1]);
  });
});
