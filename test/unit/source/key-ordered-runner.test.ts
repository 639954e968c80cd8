import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { donePrefixLength, runKeyOrdered } from '../../../src/source/key-ordered-runner.ts';

interface Item {
  key: string;
  id: number;
  ms: number;
  fail?: boolean;
}

describe('runKeyOrdered', () => {
  it('keeps per-key order while running different keys concurrently, within the limit', async () => {
    const items: Item[] = [];
    for (let i = 0; i < 40; i++) items.push({ key: `k${i % 5}`, id: i, ms: (i * 7) % 11 });
    const order = new Map<string, number[]>();
    let inFlight = 0;
    let peak = 0;
    const settled = await runKeyOrdered(
      items,
      (i) => i.key,
      3,
      async (item) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await sleep(item.ms);
        order.set(item.key, [...(order.get(item.key) ?? []), item.id]);
        inFlight--;
        return item.id;
      },
    );
    assert.equal(peak, 3);
    for (const [key, ids] of order) {
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => a - b),
        `order kept for ${key}`,
      );
    }
    assert.deepEqual(
      settled.map((s) => (s.status === 'done' ? s.value : -1)),
      items.map((i) => i.id),
    );
  });

  it('a failure holds back only later records of the same key', async () => {
    const items: Item[] = [
      { key: 'a', id: 0, ms: 1 },
      { key: 'b', id: 1, ms: 1, fail: true },
      { key: 'a', id: 2, ms: 1 },
      { key: 'b', id: 3, ms: 1 },
      { key: 'c', id: 4, ms: 1 },
    ];
    const settled = await runKeyOrdered(
      items,
      (i) => i.key,
      10,
      async (item) => {
        await sleep(item.ms);
        if (item.fail) throw new Error('x');
        return item.id;
      },
    );
    assert.deepEqual(
      settled.map((s) => s.status),
      ['done', 'failed', 'done', 'skipped', 'done'],
    );
    assert.equal(donePrefixLength(settled), 1);
  });

  it('a slow key does not stall the others', async () => {
    const items: Item[] = [
      { key: 'slow', id: 0, ms: 300 },
      ...Array.from({ length: 10 }, (_, i) => ({ key: `f${i}`, id: i + 1, ms: 1 })),
    ];
    const finishedAt: number[] = [];
    const started = Date.now();
    await runKeyOrdered(
      items,
      (i) => i.key,
      4,
      async (item) => {
        await sleep(item.ms);
        finishedAt[item.id] = Date.now() - started;
      },
    );
    const fastest = Math.max(...finishedAt.slice(1));
    assert.ok(fastest < 250, `fast keys finished at ${fastest} ms, before the slow one`);
  });
});
