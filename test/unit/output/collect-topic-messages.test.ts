import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectTopicMessages } from '../../../src/output/commit-contents.ts';
import { emptyOutputs } from '../../../src/contracts/records.ts';

const TOPICS = { results: 'r', audit: 'a', dlq: 'd', dedup: 'x', auditCheckpoints: 'c' };

function outputs(n: number) {
  const o = emptyOutputs();
  o.results.push({ key: `k${n}`, value: Buffer.from('r') });
  o.audit.push({ key: `k${n}`, value: Buffer.from('a') });
  o.dedup.push({ key: `k${n}`, value: Buffer.from('x') });
  if (n % 2 === 0) o.dlq.push({ key: `k${n}`, value: Buffer.from('d') });
  return o;
}

describe('what one transaction writes', () => {
  it('co-partitioned (default): every output of input partition 7 goes to partition 7 modulo the topic size', () => {
    const topics = collectTopicMessages(TOPICS, [{ outputs: [outputs(1), outputs(2)], partition: 7 }], {
      results: 12,
      audit: 4,
      dlq: 3,
    });
    const partitionsOf = (topic: string) => [
      ...new Set(topics.find((t) => t.topic === topic)?.messages.map((m) => m.partition)),
    ];
    assert.deepEqual(partitionsOf('r'), [7]);
    assert.deepEqual(partitionsOf('a'), [3]);
    assert.deepEqual(partitionsOf('d'), [1]);
    assert.deepEqual(partitionsOf('x'), [7], 'dedup entries always go to the input partition');
    assert.equal(topics.find((t) => t.topic === 'x')?.messages.length, 2);
  });

  it('by key: results, audit and DLQ records carry no partition (the partitioner hashes the key)', () => {
    const topics = collectTopicMessages(TOPICS, [{ outputs: [outputs(1), outputs(2)], partition: 7 }]);
    for (const topic of ['r', 'a', 'd']) {
      assert.ok(topics.find((t) => t.topic === topic)?.messages.every((m) => m.partition === undefined));
    }
    assert.ok(topics.find((t) => t.topic === 'x')?.messages.every((m) => m.partition === 7));
  });

  it('leaves out topics with nothing to write', () => {
    assert.deepEqual(
      collectTopicMessages(TOPICS, [{ outputs: [emptyOutputs()], partition: 0 }]).map((t) => t.topic),
      [],
    );
  });

  it('several partitions in one transaction (group fencing): one entry per topic, each record at its own partition', () => {
    const topics = collectTopicMessages(
      TOPICS,
      [
        { outputs: [outputs(1)], partition: 2 },
        { outputs: [outputs(3)], partition: 5 },
      ],
      { results: 12, audit: 4, dlq: 3 },
    );
    assert.deepEqual(
      topics.map((t) => t.topic),
      ['r', 'a', 'x'],
    );
    const at = (topic: string) => topics.find((t) => t.topic === topic)?.messages.map((m) => m.partition);
    assert.deepEqual(at('r'), [2, 5]);
    assert.deepEqual(at('a'), [2, 1]);
    assert.deepEqual(at('x'), [2, 5], 'each dedup entry in its own input partition');
  });
});
