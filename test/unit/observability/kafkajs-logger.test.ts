import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { logLevel } from 'kafkajs';
import { pino } from 'pino';
import { kafkajsLogCreator } from '../../../src/observability/kafkajs-logger.ts';

function capture() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      done();
    },
  });
  return { lines, logger: pino({ level: 'debug' }, stream) };
}

describe('kafkajs log lines', () => {
  it('broker answers kafkajs retries on its own are debug, real errors stay errors', async () => {
    const { lines, logger } = capture();
    const log = kafkajsLogCreator(logger)(logLevel.DEBUG);
    const entry = (level: logLevel, message: string, error?: string) =>
      log({
        namespace: 'Connection',
        level,
        label: 'ERROR',
        log: { timestamp: '', message, ...(error ? { error } : {}) },
      });
    entry(
      logLevel.ERROR,
      'Response AddPartitionsToTxn(key: 24, version: 1)',
      'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
    );
    entry(
      logLevel.ERROR,
      'Response Heartbeat(key: 12, version: 3)',
      'The group is rebalancing, so a rejoin is needed',
    );
    // A new topic's partition not loaded by its leader yet (kafkajs asks again).
    entry(
      logLevel.ERROR,
      'Response ListOffsets(key: 2, version: 3)',
      'This server is not the leader for that topic-partition',
    );
    entry(
      logLevel.ERROR,
      'Response Produce(key: 0, version: 7)',
      'Producer attempted an operation with an old epoch',
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      lines.map((l) => l.level),
      [20, 20, 20, 50],
    );
  });
});
