import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { DLQ_HEADERS, type ResultRecord } from '../../../src/output/output-records.ts';
import { createOutputFitting } from '../../../src/pipeline/output-fitting.ts';

const encoder = { schemaId: 1, encode: (r: ResultRecord) => Buffer.from(JSON.stringify(r)) };
const effect = {
  idempotencyKey: 'sync:e1',
  cxoneIdempotencyKey: 'sync:e1',
  eventId: 'e1',
  eventType: null,
  route: 'sync',
  actionType: 'DATA_ACTION' as const,
  targetId: 'a',
  contactId: 'c-1',
  serializedBody: '{}',
  eventTimestamp: null,
};
const ctx = {
  source: { topic: 'in', partition: 0, offset: '5' },
  processedAt: 1,
  connectorVersion: 'v',
  instanceId: 'i',
};
const accepted = { outcome: 'ACCEPTED' as const, attempts: 1, latencyMs: 1 };

function setup() {
  const metrics = createMetrics(new Registry(), false);
  const fitting = createOutputFitting(
    { results: 16_384, dlq: 16_384 },
    { encoder, metrics, logger: pino({ level: 'silent' }) },
  );
  return { fitting, metrics };
}

describe('output fitting', () => {
  it('leaves records that fit alone', () => {
    const { fitting } = setup();
    const dlq = { key: Buffer.from('k'), value: Buffer.alloc(100), headers: { a: 'b' } };
    assert.equal(fitting.deadLetter(dlq), dlq);
    const result = fitting.result('sync:e1', effect, accepted, ctx, { outputs: { small: true } });
    assert.equal((JSON.parse(result.value.toString()) as ResultRecord).outputsJson, '{"small":true}');
  });

  it('writes a dead letter too big for its topic without its value, saying its size and hash', async () => {
    const { fitting, metrics } = setup();
    const fitted = fitting.deadLetter({
      key: Buffer.from('k'),
      value: Buffer.alloc(40_000),
      headers: { a: 'b' },
    });
    assert.equal(fitted.value, null);
    assert.equal(fitted.headers[DLQ_HEADERS.valueOmitted], '40000');
    assert.match(String(fitted.headers[DLQ_HEADERS.valueSha256]), /^[0-9a-f]{64}$/);
    assert.equal(fitted.headers.a, 'b');
    assert.match(
      String(await metrics.registry.getSingleMetricAsString('cxone_connector_outputs_trimmed_total')),
      /output="dlq"} 1/,
    );
  });

  it('writes a result too big for its topic without the data action outputs, and says so', () => {
    const { fitting } = setup();
    const result = fitting.result('sync:e1', effect, accepted, ctx, {
      outputs: { blob: 'x'.repeat(40_000) },
    });
    const record = JSON.parse(result.value.toString()) as ResultRecord;
    assert.equal(record.outputsJson, null);
    assert.equal(record.outcome, 'ACCEPTED');
    assert.match(
      record.errorMessage ?? '',
      /outputs omitted: the result \(\d+ bytes\) is over the results topic's max\.message\.bytes \(16384\)/,
    );
    assert.ok(result.value.length < 16_384);
  });
});
