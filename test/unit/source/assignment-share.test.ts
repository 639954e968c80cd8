import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assignmentShare } from '../../../src/source/assignment-share.ts';

describe('assignmentShare', () => {
  const counts = { 'cdp.events': 6, 'cdp.orders': 2 };

  it("an instance's fraction of all input partitions", () => {
    assert.deepEqual(assignmentShare({ 'cdp.events': [0, 1, 2], 'cdp.orders': [1] }, counts), {
      assigned: 4,
      total: 8,
      share: 0.5,
    });
  });

  it('the shares of one generation add up to 1 whatever the replica count', () => {
    for (const replicas of [1, 2, 3, 5, 8, 12]) {
      const members: Record<string, number[]>[] = Array.from({ length: replicas }, () => ({}));
      let next = 0;
      for (const [topic, n] of Object.entries(counts)) {
        for (let p = 0; p < n; p++) {
          const member = members[next++ % replicas] ?? {};
          (member[topic] ??= []).push(p);
        }
      }
      const sum = members.reduce((total: number, m) => total + assignmentShare(m, counts).share, 0);
      assert.ok(Math.abs(sum - 1) < 1e-9, `${replicas} replicas: ${sum}`);
    }
  });

  it('no partitions, or a topic that is not an input: nothing', () => {
    assert.equal(assignmentShare({}, counts).share, 0);
    assert.equal(assignmentShare({ other: [0, 1] }, counts).share, 0);
    assert.equal(assignmentShare({ 'cdp.events': [0] }, {}).share, 0);
  });
});
