/**
 * The record path's stages one at a time (the whole path is the table test in
 * record-processor.test.ts): the guard as a table, the one place an error
 * becomes a record fault, what a record fault does under each policy, the
 * call through a route's block, and what an outcome writes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyOutputs } from '../../../../src/contracts/records.ts';
import type { CallOutcome } from '../../../../src/cxone/call-outcome.ts';
import type { ConnectorError } from '../../../../src/errors.ts';
import { CxoneError, MappingError } from '../../../../src/errors.ts';
import type { RouteRequest } from '../../../../src/mapping/map-route.ts';
import type { OutputFitting } from '../../../../src/pipeline/output-fitting.ts';
import { createRouteBlocks } from '../../../../src/pipeline/route-blocks.ts';
import { callCxone } from '../../../../src/pipeline/stages/call-cxone.ts';
import { guard } from '../../../../src/pipeline/stages/guard.ts';
import { handleRecordFault } from '../../../../src/pipeline/stages/record-fault.ts';
import { recordOutcome, rememberCall } from '../../../../src/pipeline/stages/record-outcome.ts';
import { runStage } from '../../../../src/pipeline/stages/stage-result.ts';
import { silentLogger, testMetrics } from '../../source/source-fakes.ts';

const record = {
  topic: 'cdp.events',
  partition: 2,
  offset: '41',
  key: Buffer.from('c-1'),
  value: Buffer.from('bytes'),
  headers: {},
  timestampMs: 1,
};
const source = { topic: 'cdp.events', partition: 2, offset: '41' };
const json = { schemaId: 1, encode: (r: unknown) => Buffer.from(JSON.stringify(r)) };
const fitting = {
  result: (key: string) => ({ key, value: Buffer.from('result') }),
  deadLetter: (dlq: unknown) => dlq,
} as unknown as OutputFitting;
const request = {
  kind: 'journey-trigger',
  route: 'welcome',
  idempotencyKey: 'welcome:evt-1',
  eventId: 'evt-1',
  contactId: 'c-1',
  journeyId: 'j-welcome',
  serializedBody: '{}',
  body: { event: 'SIGNED_UP', timestamp: '2026-12-01T00:00:00Z' },
} as unknown as RouteRequest;
const outcomeOf = (outcome: string, error?: ConnectorError): CallOutcome =>
  ({
    outcome,
    attempts: 1,
    latencyMs: 3,
    ...(error ? { error } : {}),
  }) as CallOutcome;

describe('the record path, stage by stage', () => {
  it('guard: what is known of the key and the event age decide whether CXone is called, and as which attempt', () => {
    const table: [string, Parameters<typeof guard>[0], string, number][] = [
      ['never seen', { seen: undefined, ageMs: undefined, maxEventAgeMs: undefined }, 'call', 0],
      [
        'handled with an effect',
        { seen: { createdAtMs: 1, outcome: 'ACCEPTED' }, ageMs: undefined, maxEventAgeMs: undefined },
        'duplicate',
        0,
      ],
      [
        'handled, and now too old: still a duplicate',
        { seen: { createdAtMs: 1, outcome: 'ACCEPTED' }, ageMs: 10, maxEventAgeMs: 5 },
        'duplicate',
        0,
      ],
      [
        'rejected once: tried afresh as attempt 1',
        { seen: { createdAtMs: 1, outcome: 'REJECTED' }, ageMs: undefined, maxEventAgeMs: undefined },
        'call',
        1,
      ],
      [
        'failed twice: attempt 3',
        { seen: { createdAtMs: 1, outcome: 'FAILED', attempt: 2 }, ageMs: 1, maxEventAgeMs: 5 },
        'call',
        3,
      ],
      ['too old, never seen', { seen: undefined, ageMs: 6, maxEventAgeMs: 5 }, 'expired', 0],
      ['exactly at the age limit', { seen: undefined, ageMs: 5, maxEventAgeMs: 5 }, 'call', 0],
    ];
    for (const [name, input, kind, attempt] of table) {
      const decision = guard(input);
      assert.deepEqual([decision.kind, decision.attempt], [kind, attempt], name);
      if (decision.kind !== 'call') assert.equal(decision.outcome.outcome, kind.toUpperCase(), name);
    }
  });

  it('runStage: a value, a record fault for a ConnectorError that is not retryable, anything else thrown on', async () => {
    assert.deepEqual(await runStage(() => 7), { kind: 'ok', value: 7 });
    const bad = new MappingError('MAPPING_FAILED', 'no contact id');
    assert.deepEqual(await runStage(() => Promise.reject(bad)), { kind: 'fault', error: bad });
    const down = new CxoneError('CXONE_RETRIES_EXHAUSTED', 'CXone is down', { retryable: true });
    await assert.rejects(
      runStage(() => Promise.reject(down)),
      down,
    );
    await assert.rejects(
      runStage(() => {
        throw new TypeError('a bug');
      }),
      TypeError,
    );
  });

  it('a record fault: a dead letter under dlq; RECORD_HELD, retried after holdRetryMs, under hold', () => {
    const deps = { holdRetryMs: 30_000, fitting, metrics: testMetrics(), logger: silentLogger, now: () => 0 };
    const error = new MappingError('MAPPING_FAILED', 'no contact id');
    const outputs = emptyOutputs();
    handleRecordFault({ ...deps, onRecordFault: 'dlq' }, record, outputs, error, {
      eventId: null,
      idempotencyKey: null,
    });
    assert.equal(outputs.dlq.length, 1);
    const held = emptyOutputs();
    assert.throws(
      () =>
        handleRecordFault({ ...deps, onRecordFault: 'hold' }, record, held, error, {
          eventId: null,
          idempotencyKey: null,
        }),
      (thrown: ConnectorError) => thrown.code === 'RECORD_HELD' && thrown.retryAfterMs === 30_000,
    );
    assert.equal(held.dlq.length, 0, 'nothing dead-lettered while held');
  });

  it('call: through the route block; a configuration fault blocks the route, the next record is not sent', async () => {
    const blocks = createRouteBlocks(
      { probeIntervalMs: 60_000, logIntervalMs: 60_000 },
      { now: () => 0, logger: silentLogger, metrics: testMetrics() },
    );
    let sent = 0;
    const refused = new CxoneError('CXONE_AUTH_FAILED', 'credentials refused', { retryable: false });
    const deps = {
      journeys: { trigger: async () => (sent++ === 0 ? outcomeOf('ACCEPTED') : Promise.reject(refused)) },
      dataActions: { invoke: () => Promise.reject(new Error('not a data action')) },
      routeBlocks: blocks,
    };
    assert.equal((await callCxone(deps, 'welcome', request, undefined)).outcome, 'ACCEPTED');
    // The fault blocks the route; what the record is thrown says so, with the fault as its cause.
    await assert.rejects(
      callCxone(deps, 'welcome', request, undefined),
      (e: ConnectorError) => e.code === 'ROUTE_BLOCKED' && e.cause === refused,
    );
    await assert.rejects(
      callCxone(deps, 'welcome', request, undefined),
      (e: ConnectorError) => e.code === 'ROUTE_BLOCKED',
    );
    assert.equal(sent, 2, 'a blocked route sends nothing');
  });

  it('record outcome: a call is remembered with its attempt; a refusal is returned to dead-letter, an acceptance is not', () => {
    const outputs = emptyOutputs();
    const decided = rememberCall(
      outputs,
      json,
      { source, decidedAt: 5000 },
      'welcome:evt-1',
      outcomeOf('REJECTED'),
      2,
    );
    assert.deepEqual(decided, { createdAtMs: 5000, outcome: 'REJECTED', attempt: 2 });
    assert.deepEqual(outputs.remember, [{ key: 'welcome:evt-1', entry: decided }]);
    assert.equal(String(outputs.dedup[0]?.key), 'cdp.events/welcome:evt-1');
    const deps = {
      encoders: { audit: json, dedup: json },
      fitting,
      pii: (v: string | null) => v,
    } as never;
    const context = { source, processedAt: 1, connectorVersion: 't', instanceId: 'i', schemaId: 7 };
    const error = new CxoneError('CXONE_BAD_REQUEST', 'bad attribute', { retryable: false });
    const effect = { request, sent: request, context };
    assert.equal(recordOutcome(deps, outputs, { ...effect, outcome: outcomeOf('REJECTED', error) }), error);
    assert.equal(recordOutcome(deps, outputs, { ...effect, outcome: outcomeOf('ACCEPTED') }), undefined);
    assert.equal(outputs.results.length, 2);
    assert.equal(outputs.audit.length, 2);
  });
});
