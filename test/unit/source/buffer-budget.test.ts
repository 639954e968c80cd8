import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBufferBudget } from '../../../src/source/buffer-budget.ts';

describe('buffer budget', () => {
  it('goes over at either bound and back only under half of both', () => {
    const changes: boolean[] = [];
    const budget = createBufferBudget({
      maxRecords: 100,
      maxBytes: 1000,
      onOverChange: (o) => changes.push(o),
    });
    budget.add(99, 10);
    assert.deepEqual(changes, []);
    budget.add(1, 10);
    assert.deepEqual(changes, [true]);
    budget.remove(49, 0);
    assert.deepEqual(changes, [true], '51 records: still over half');
    budget.remove(1, 0);
    assert.deepEqual(changes, [true, false]);
    budget.add(0, 990);
    assert.deepEqual(changes, [true, false, true], 'bytes alone reach the bound');
    budget.remove(0, 500);
    assert.equal(budget.isOver(), true, '510 bytes: still over half');
    budget.remove(0, 10);
    assert.equal(budget.isOver(), false);
    assert.equal(budget.records(), 50);
  });
});
