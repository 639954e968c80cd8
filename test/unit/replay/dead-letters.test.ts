import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DLQ_HEADERS } from '../../../src/output/output-records.ts';
import { isReplayable, parseDeadLetter, replayMessage, selects } from '../../../src/replay/dead-letters.ts';

function dlqRecord(offset: number, headers: Record<string, string>) {
  return {
    partition: 1,
    offset: String(offset),
    key: Buffer.from('c-000001'),
    value: Buffer.from('original bytes'),
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
  };
}

const HEADERS = {
  'producer-header': 'kept',
  [DLQ_HEADERS.stage]: 'cxone',
  [DLQ_HEADERS.code]: 'CXONE_BAD_REQUEST',
  [DLQ_HEADERS.message]: 'CXone rejected the request',
  [DLQ_HEADERS.topic]: 'cdp.events',
  [DLQ_HEADERS.partition]: '4',
  [DLQ_HEADERS.offset]: '17',
  [DLQ_HEADERS.route]: 'welcome',
  [DLQ_HEADERS.failedAt]: '2026-12-01T08:00:00.000Z',
  'cxone.replay.of': 'cxone.dlq/0/3',
};

describe('dead letters for replay', () => {
  const letter = parseDeadLetter('cxone.dlq', dlqRecord(9, HEADERS));

  it('reads where it came from and why, and keeps only the producer headers', () => {
    assert.equal(letter.ref, 'cxone.dlq/1/9');
    assert.equal(letter.code, 'CXONE_BAD_REQUEST');
    assert.equal(letter.route, 'welcome');
    assert.equal(letter.sourceTopic, 'cdp.events');
    assert.equal(letter.sourcePartition, 4);
    assert.equal(letter.failedAtMs, Date.parse('2026-12-01T08:00:00Z'));
    assert.deepEqual(Object.keys(letter.originalHeaders), ['producer-header']);
  });

  it('goes back to its topic and partition with its bytes and the replay headers', () => {
    const message = replayMessage(letter);
    assert.equal(message.topic, 'cdp.events');
    assert.equal(message.partition, 4);
    assert.equal(message.value?.toString(), 'original bytes');
    assert.equal(message.headers['cxone.replay.of']?.toString(), 'cxone.dlq/1/9');
    assert.equal(message.headers['cxone.replay.code']?.toString(), 'CXONE_BAD_REQUEST');
    assert.equal(message.headers['producer-header']?.toString(), 'kept');
    assert.equal(message.headers[DLQ_HEADERS.code], undefined);
  });

  const cases: [string, Parameters<typeof selects>[0], boolean][] = [
    ['no filter', {}, true],
    ['its code', { codes: ['CXONE_BAD_REQUEST'] }, true],
    ['another code', { codes: ['DECODE_AVRO'] }, false],
    ['its route', { routes: ['welcome'] }, true],
    ['another route', { routes: ['winback'] }, false],
    ['since before it failed', { sinceMs: Date.parse('2026-12-01T07:00:00Z') }, true],
    ['since after it failed', { sinceMs: Date.parse('2026-12-01T09:00:00Z') }, false],
    ['until before it failed', { untilMs: Date.parse('2026-12-01T07:00:00Z') }, false],
    ['its DLQ partition and an offset range around it', { partition: 1, fromOffset: 5n, toOffset: 9n }, true],
    ['another DLQ partition', { partition: 0 }, false],
    ['an offset range past it', { partition: 1, fromOffset: 10n }, false],
  ];
  for (const [name, filter, expected] of cases) {
    it(`is ${expected ? '' : 'not '}selected by ${name}`, () =>
      assert.equal(selects(filter, letter), expected));
  }

  it('is not replayable without its source headers or its value', () => {
    assert.equal(isReplayable(letter), true);
    const { [DLQ_HEADERS.topic]: _topic, ...noSource } = HEADERS;
    assert.equal(isReplayable(parseDeadLetter('cxone.dlq', dlqRecord(1, noSource))), false);
    const omitted = parseDeadLetter(
      'cxone.dlq',
      dlqRecord(2, { ...HEADERS, [DLQ_HEADERS.valueOmitted]: '2000000' }),
    );
    assert.equal(isReplayable(omitted), false);
  });
});
