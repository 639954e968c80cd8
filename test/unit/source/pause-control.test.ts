import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TopicPartitions } from 'kafkajs';
import { createPauseControl } from '../../../src/source/pause-control.ts';

function fakeConsumer() {
  const calls: string[] = [];
  const paused = new Set<string>();
  const record = (kind: string, list: TopicPartitions[]) => {
    for (const { topic, partitions } of list) {
      assert.ok(partitions, 'never a topic-wide pause or resume: it would overwrite partition flags');
      for (const p of partitions) {
        calls.push(`${kind} ${topic}:${p}`);
        if (kind === 'pause') paused.add(`${topic}:${p}`);
        else paused.delete(`${topic}:${p}`);
      }
    }
  };
  return {
    calls,
    paused,
    target: {
      pause: (list: TopicPartitions[]) => record('pause', list),
      resume: (list: TopicPartitions[]) => record('resume', list),
    },
  };
}

describe('pause control', () => {
  it('a partition is fetched only when no reason holds it', () => {
    const consumer = fakeConsumer();
    const control = createPauseControl(consumer.target);
    control.assign([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ]);
    control.set('t', 0, 'backpressure', true);
    control.setAll('breaker', true);
    assert.deepEqual([...consumer.paused].sort(), ['t:0', 't:1']);
    control.setAll('breaker', false);
    assert.deepEqual([...consumer.paused], ['t:0'], 'the breaker closing does not resume a full partition');
    control.set('t', 0, 'backoff', true);
    control.set('t', 0, 'backpressure', false);
    assert.deepEqual([...consumer.paused], ['t:0']);
    control.set('t', 0, 'backoff', false);
    assert.deepEqual([...consumer.paused], []);
  });

  it('calls kafkajs only when the answer changes', () => {
    const consumer = fakeConsumer();
    const control = createPauseControl(consumer.target);
    control.assign([{ topic: 't', partition: 0 }]);
    control.set('t', 0, 'claiming', true);
    control.set('t', 0, 'claiming', true);
    control.set('t', 0, 'backpressure', true);
    control.set('t', 0, 'claiming', false);
    assert.deepEqual(consumer.calls, ['pause t:0']);
  });

  it('new partitions inherit instance-wide reasons; revoked ones are resumed and forgotten', () => {
    const consumer = fakeConsumer();
    const counts: number[] = [];
    const control = createPauseControl(consumer.target, (c) => counts.push(c.counts().memory));
    control.assign([{ topic: 't', partition: 0 }]);
    control.setAll('memory', true);
    control.set('t', 0, 'backoff', true);
    control.assign([{ topic: 't', partition: 1 }]);
    assert.deepEqual([...consumer.paused], ['t:1']);
    assert.equal(control.isPaused('t', 1), true);
    control.setAll('memory', false);
    assert.deepEqual([...consumer.paused], []);
    assert.equal(counts.at(-1), 0);
  });

  it('a new generation clears per-partition reasons but keeps instance-wide ones', () => {
    const consumer = fakeConsumer();
    const control = createPauseControl(consumer.target);
    control.assign([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ]);
    control.set('t', 0, 'backoff', true);
    control.setAll('draining', true);
    control.clearPartitionReasons();
    assert.deepEqual([...consumer.paused].sort(), ['t:0', 't:1']);
    control.setAll('draining', false);
    assert.deepEqual([...consumer.paused], []);
  });
});
