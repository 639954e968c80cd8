import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fits, messageBytes, splitBySize } from '../../../src/output/message-size.ts';

const message = (bytes: number) => ({ key: 'k', value: Buffer.alloc(bytes) });

describe('output message sizes', () => {
  it('counts key, value and headers, with framing', () => {
    const plain = messageBytes({ key: 'abc', value: Buffer.alloc(100) });
    assert.ok(plain >= 103 && plain < 200);
    assert.ok(
      messageBytes({ key: 'abc', value: Buffer.alloc(100), headers: { h: 'x'.repeat(50) } }) >= plain + 51,
    );
    assert.equal(fits(message(1_000), 2_000), true);
    assert.equal(fits(message(2_000), 2_000), false);
  });

  it('sends everything at once while each topic stays under its limit', () => {
    const sends = splitBySize(
      [
        { topic: 'audit', messages: [message(100), message(100)] },
        { topic: 'results', messages: [message(100)] },
      ],
      { audit: 16_384, results: 16_384 },
    );
    assert.equal(sends.length, 1);
    assert.equal(sends[0]?.length, 2);
  });

  it('splits a topic whose records would make a batch over its limit, keeping their order', () => {
    const records = Array.from({ length: 50 }, (_, i) => ({ key: String(i), value: Buffer.alloc(1_000) }));
    const sends = splitBySize([{ topic: 'audit', messages: records }], { audit: 16_384 });
    assert.ok(sends.length >= 4, `${sends.length} sends`);
    const flat = sends.flatMap((s) => s.flatMap((t) => t.messages.map((m) => String(m.key))));
    assert.deepEqual(
      flat,
      records.map((r) => String(r.key)),
    );
    for (const send of sends) {
      const bytes = 61 + send[0]!.messages.reduce((sum, m) => sum + messageBytes(m), 0);
      assert.ok(bytes <= 16_384, `a send of ${bytes} bytes`);
    }
  });
});
