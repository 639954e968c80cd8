/**
 * The record processor's decisions, table-driven: what each kind of record
 * becomes (results, audit, dead letters, dedup entries), what it sends to
 * CXone, and what it throws for the partition worker to retry. Real routes
 * (compiled from config), small hand-written fakes for the decoder, the CXone
 * clients and the output encoders.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import type { InputRecord, RecordOutputs } from '../../../src/contracts/records.ts';
import type { CallOutcome } from '../../../src/cxone/call-outcome.ts';
import type { DataActionClient } from '../../../src/cxone/data-action-client.ts';
import type { JourneyTriggerClient } from '../../../src/cxone/journey-trigger-client.ts';
import { dedupRecordKey } from '../../../src/contracts/dedup-key.ts';
import { createInFlightKeys } from '../../../src/pipeline/in-flight-keys.ts';
import { createDedupStore } from '../../../src/dedup/dedup-store.ts';
import type { EventDecoder } from '../../../src/decode/event-decoder.ts';
import { ConnectorError, CxoneError, DecodeError, failureClass } from '../../../src/errors.ts';
import type { UnroutedPolicy } from '../../../src/mapping/route-definition.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { DLQ_HEADERS } from '../../../src/output/output-records.ts';
import type { OutputEncoder } from '../../../src/output/output-schemas.ts';
import {
  createRecordProcessor,
  type RecordFaultPolicy,
  type RecordProcessorDeps,
} from '../../../src/pipeline/record-processor.ts';
import { createRouteBlocks } from '../../../src/pipeline/route-blocks.ts';
import { compiledRoutes } from '../../../devkit/config-fixtures.ts';
import { flushLogs, logLines } from '../../support/log-lines.ts';

const ROUTES = [
  { name: 'welcome', journeyId: 'j-welcome', eventTypes: ['SIGNED_UP', 'PURCHASE_COMPLETED'] },
  {
    name: 'crm-sync',
    action: 'data-action',
    actionId: 'a-sync',
    eventTypes: ['PURCHASE_COMPLETED', 'ORDER_SHIPPED'],
    inputs: '{ "email": identifiers.email }',
  },
];

/** Decodes JSON; a value starting with `!` fails the way the registry or the bytes would. */
const decoder: EventDecoder = {
  async decode(bytes) {
    const text = bytes?.toString('utf8') ?? '';
    if (text === '!not-avro')
      throw new DecodeError('DECODE_MAGIC_BYTE', 'value is not Confluent-wire-format Avro');
    if (text === '!registry-down')
      throw new DecodeError('REGISTRY_UNAVAILABLE', 'schema registry did not answer');
    return { schemaId: 7, value: JSON.parse(text) as unknown };
  },
};

const json = <T>(): OutputEncoder<T> => ({ schemaId: 1, encode: (r) => Buffer.from(JSON.stringify(r)) });

/** What the fake CXone answers, by `<trigger|invoke> <contact id>` or contact id: an outcome, or an error it throws. */
type Answer = CallOutcome | ConnectorError;
const accepted: CallOutcome = {
  outcome: 'ACCEPTED',
  attempts: 1,
  latencyMs: 5,
  httpStatus: 202,
  reference: 't-1',
};

function fakeCxone(answers: Record<string, Answer>) {
  const calls: string[] = [];
  const answer = async (kind: string, key: string, contactId: string | null): Promise<CallOutcome> => {
    calls.push(`${kind} ${key}`);
    const found = answers[`${kind} ${contactId ?? ''}`] ?? answers[contactId ?? ''] ?? accepted;
    if (found instanceof ConnectorError) throw found;
    return found;
  };
  const journeys: Pick<JourneyTriggerClient, 'trigger'> = {
    trigger: (request) => answer('trigger', request.idempotencyKey, request.contactId),
  };
  const dataActions: Pick<DataActionClient, 'invoke'> = {
    invoke: (request) => answer('invoke', request.idempotencyKey, request.contactId),
  };
  return { calls, journeys, dataActions };
}

function event(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    eventId: 'evt-1',
    eventType: 'SIGNED_UP',
    occurredAt: Date.UTC(2026, 10, 23),
    contactId: 'c-1',
    identifiers: { email: 'a@example.com', external_id: 'ext-1' },
    ...overrides,
  });
}

interface Case {
  name: string;
  value: string;
  answers?: Record<string, Answer>;
  unrouted?: UnroutedPolicy;
  onRecordFault?: RecordFaultPolicy;
  maxEventAgeMs?: number;
  /** Idempotency keys already in the dedup store (as ACCEPTED), or with their outcome and attempt. */
  seen?: (string | [string, string, number])[];
  /** The code the processor throws instead of returning outputs: a transient or configuration fault, never written. */
  throws?: string;
  calls?: string[];
  results?: string[];
  audit?: string[];
  /** Dead letters as `code route` (route `-` when the fault is before routing). */
  dlq?: string[];
  dedup?: string[];
}

const CASES: Case[] = [
  {
    name: 'a journey event accepted by CXone',
    value: event(),
    calls: ['trigger welcome:evt-1'],
    results: ['ACCEPTED'],
    audit: ['ACCEPTED'],
    dedup: ['cdp.events/welcome:evt-1 ACCEPTED'],
  },
  {
    name: 'bytes that are not Avro: a dead letter, no call',
    value: '!not-avro',
    dlq: ['DECODE_MAGIC_BYTE -'],
  },
  {
    name: 'the registry down: thrown for a retry, nothing written',
    value: '!registry-down',
    throws: 'REGISTRY_UNAVAILABLE',
  },
  {
    name: 'missing identifiers: a dead letter naming the route, no call',
    value: event({ identifiers: { email: 'a@example.com' } }),
    dlq: ['IDENTIFIERS_MISSING welcome'],
  },
  {
    name: 'a key already in the dedup store: DUPLICATE, no call, no new entry',
    value: event(),
    seen: ['welcome:evt-1'],
    results: ['DUPLICATE'],
    audit: ['DUPLICATE'],
  },
  {
    name: 'a key that was REJECTED before (a fixed event re-published): tried afresh under <key>~1',
    value: event(),
    seen: [['welcome:evt-1', 'REJECTED', 0]],
    calls: ['trigger welcome:evt-1~1'],
    results: ['ACCEPTED'],
    audit: ['ACCEPTED'],
    dedup: ['cdp.events/welcome:evt-1 ACCEPTED'],
  },
  {
    name: 'a key that FAILED twice before: the third try is <key>~2',
    value: event(),
    seen: [['welcome:evt-1', 'FAILED', 1]],
    calls: ['trigger welcome:evt-1~2'],
    results: ['ACCEPTED'],
    audit: ['ACCEPTED'],
    dedup: ['cdp.events/welcome:evt-1 ACCEPTED'],
  },
  {
    name: 'a key that was CONTACT_NOT_FOUND: a final answer, DUPLICATE',
    value: event(),
    seen: [['welcome:evt-1', 'CONTACT_NOT_FOUND', 0]],
    results: ['DUPLICATE'],
    audit: ['DUPLICATE'],
  },
  {
    name: 'an event no route takes, unrouted: dlq',
    value: event({ eventType: 'PAGE_VIEWED' }),
    dlq: ['NO_ROUTE -'],
  },
  {
    name: 'an event no route takes, unrouted: skip',
    value: event({ eventType: 'PAGE_VIEWED' }),
    unrouted: 'skip',
    audit: ['UNROUTED'],
  },
  {
    name: 'CXone rejects the body (400): result, audit, dedup entry and a dead letter',
    value: event(),
    answers: {
      'c-1': {
        outcome: 'REJECTED',
        attempts: 1,
        latencyMs: 3,
        httpStatus: 400,
        error: new CxoneError('CXONE_BAD_REQUEST', 'malformed', { status: 400 }),
      },
    },
    calls: ['trigger welcome:evt-1'],
    results: ['REJECTED'],
    audit: ['REJECTED'],
    dlq: ['CXONE_BAD_REQUEST welcome'],
    dedup: ['cdp.events/welcome:evt-1 REJECTED'],
  },
  {
    name: 'a contact CXone does not know: an outcome, not a dead letter',
    value: event(),
    answers: { 'c-1': { outcome: 'CONTACT_NOT_FOUND', attempts: 0, latencyMs: 1, httpStatus: 404 } },
    calls: ['trigger welcome:evt-1'],
    results: ['CONTACT_NOT_FOUND'],
    audit: ['CONTACT_NOT_FOUND'],
    dedup: ['cdp.events/welcome:evt-1 CONTACT_NOT_FOUND'],
  },
  {
    name: 'CXone still failing after the client retries: thrown for a retry, nothing written',
    value: event(),
    answers: { 'c-1': new CxoneError('CXONE_RETRIES_EXHAUSTED', 'CXone is down', { retryable: true }) },
    calls: ['trigger welcome:evt-1'],
    throws: 'CXONE_RETRIES_EXHAUSTED',
  },
  {
    name: 'an event two routes take: one effect per route, in config order',
    value: event({ eventType: 'PURCHASE_COMPLETED' }),
    calls: ['trigger welcome:evt-1', 'invoke crm-sync:evt-1'],
    results: ['ACCEPTED', 'ACCEPTED'],
    audit: ['ACCEPTED', 'ACCEPTED'],
    dedup: ['cdp.events/welcome:evt-1 ACCEPTED', 'cdp.events/crm-sync:evt-1 ACCEPTED'],
  },
  {
    name: 'two routes, one of which cannot map the event: the other still runs',
    value: event({ eventType: 'PURCHASE_COMPLETED', identifiers: { email: 'a@example.com' } }),
    calls: ['invoke crm-sync:evt-1'],
    results: ['ACCEPTED'],
    audit: ['ACCEPTED'],
    dlq: ['IDENTIFIERS_MISSING welcome'],
    dedup: ['cdp.events/crm-sync:evt-1 ACCEPTED'],
  },
  {
    name: 'a 403 on the trigger is a configuration fault: thrown, no dead letter, no outcome',
    value: event(),
    answers: {
      'c-1': new CxoneError('CXONE_FORBIDDEN', 'the CXone OAuth client lacks the journeys:trigger scope'),
    },
    calls: ['trigger welcome:evt-1'],
    throws: 'ROUTE_BLOCKED',
  },
  {
    name: 'credentials refused (401 after the refresh): thrown, no dead letter',
    value: event({ eventType: 'ORDER_SHIPPED' }),
    answers: { 'c-1': new CxoneError('CXONE_AUTH_FAILED', 'CXone refused a freshly issued token') },
    calls: ['invoke crm-sync:evt-1'],
    throws: 'ROUTE_BLOCKED',
  },
  {
    name: 'onRecordFault: hold turns a record fault into a hold, with no dead letter',
    value: '!not-avro',
    onRecordFault: 'hold',
    throws: 'RECORD_HELD',
  },
  {
    name: 'onRecordFault: hold holds a mapping fault too, before any call',
    value: event({ identifiers: { email: 'a@example.com' } }),
    onRecordFault: 'hold',
    throws: 'RECORD_HELD',
  },
  {
    name: 'an event older than maxEventAgeMs: EXPIRED, no call, nothing remembered',
    value: event({ occurredAt: Date.UTC(2026, 10, 23) }),
    maxEventAgeMs: 3_600_000,
    results: ['EXPIRED'],
    audit: ['EXPIRED'],
  },
  {
    name: 'an event within maxEventAgeMs goes through',
    value: event({ occurredAt: Date.UTC(2026, 10, 23, 23, 30) }),
    maxEventAgeMs: 3_600_000,
    calls: ['trigger welcome:evt-1'],
    results: ['ACCEPTED'],
    audit: ['ACCEPTED'],
    dedup: ['cdp.events/welcome:evt-1 ACCEPTED'],
  },
  {
    name: 'two routes, one already done: DUPLICATE for it, a call for the other',
    value: event({ eventType: 'PURCHASE_COMPLETED' }),
    seen: ['welcome:evt-1'],
    calls: ['invoke crm-sync:evt-1'],
    results: ['DUPLICATE', 'ACCEPTED'],
    audit: ['DUPLICATE', 'ACCEPTED'],
    dedup: ['cdp.events/crm-sync:evt-1 ACCEPTED'],
  },
];

const field = (message: { value: Buffer | null }, name: string): unknown =>
  (JSON.parse(message.value?.toString('utf8') ?? 'null') as Record<string, unknown>)[name];

function summarize(outputs: RecordOutputs) {
  return {
    results: outputs.results.map((m) => String(field(m, 'outcome'))),
    audit: outputs.audit.map((m) => String(field(m, 'outcome'))),
    dlq: outputs.dlq.map(
      (m) => `${String(m.headers?.[DLQ_HEADERS.code])} ${String(m.headers?.[DLQ_HEADERS.route] ?? '-')}`,
    ),
    dedup: outputs.dedup.map((m) => `${String(m.key)} ${String(field(m, 'outcome'))}`),
  };
}

const NOW = Date.UTC(2026, 10, 24);

function setup(c: Case, clock = { now: () => NOW }, logger: Logger = pino({ level: 'silent' })) {
  const cxone = fakeCxone(c.answers ?? {});
  const dedup = createDedupStore({ maxEntries: 1000, windowMs: 7 * 86_400_000, now: clock.now });
  for (const seen of c.seen ?? []) {
    const [key, outcome, attempt] = typeof seen === 'string' ? [seen, 'ACCEPTED', 0] : seen;
    dedup.set({ topic: 'cdp.events', partition: 0 }, key, { createdAtMs: NOW - 1000, outcome, attempt });
  }
  const metrics = createMetrics(new Registry(), false);
  const routeBlocks = createRouteBlocks(
    { probeIntervalMs: 5_000, logIntervalMs: 60_000 },
    { now: clock.now, logger, metrics },
  );
  const deps: RecordProcessorDeps = {
    decoder,
    journeys: cxone.journeys,
    dataActions: cxone.dataActions,
    routes: compiledRoutes(ROUTES, { unrouted: c.unrouted ?? 'dlq' }),
    pii: (value) => value,
    encoders: { result: json(), audit: json(), dedup: json() },
    dedup,
    inFlight: createInFlightKeys(),
    routeBlocks,
    onRecordFault: c.onRecordFault ?? 'dlq',
    maxEventAgeMs: c.maxEventAgeMs,
    holdRetryMs: 30_000,
    metrics,
    logger,
    maxPayloadBytes: 102_400,
    connectorVersion: 'test',
    instanceId: 'i-1',
    now: clock.now,
  };
  const process = createRecordProcessor(deps);
  return { process, deps, calls: cxone.calls, routeBlocks, answers: c.answers ?? {}, metrics };
}

const record = (value: string): InputRecord => ({
  topic: 'cdp.events',
  partition: 0,
  offset: '41',
  key: Buffer.from('c-1'),
  value: Buffer.from(value),
});

describe('record processor', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const { process, calls } = setup(c);
      if (c.throws !== undefined) {
        await assert.rejects(
          process(record(c.value)),
          (error: unknown) =>
            error instanceof ConnectorError && failureClass(error) !== 'record' && error.code === c.throws,
        );
      } else {
        const outputs = await process(record(c.value));
        assert.deepEqual(summarize(outputs), {
          results: c.results ?? [],
          audit: c.audit ?? [],
          dlq: c.dlq ?? [],
          dedup: c.dedup ?? [],
        });
        // The store learns exactly what the dedup topic is told, no more.
        assert.deepEqual(
          outputs.remember.map((r) => `${dedupRecordKey(record(c.value).topic, r.key)} ${r.entry.outcome}`),
          c.dedup ?? [],
        );
      }
      assert.deepEqual(calls, c.calls ?? []);
    });
  }

  it('a blocked route holds its records without calling CXone, probes, and resumes once fixed', async () => {
    let t = NOW;
    const forbidden = new CxoneError(
      'CXONE_FORBIDDEN',
      'the CXone OAuth client lacks the journeys:trigger scope',
    );
    const c: Case = { name: 'blocked', value: event(), answers: { 'trigger c-1': forbidden } };
    const { process, calls, routeBlocks, answers, metrics } = setup(c, { now: () => t });
    await assert.rejects(process(record(event())), { code: 'ROUTE_BLOCKED' });
    assert.deepEqual(
      routeBlocks.list().map((b) => `${b.route} ${b.code}`),
      ['welcome CXONE_FORBIDDEN'],
    );
    assert.match(
      String(await metrics.registry.getSingleMetricAsString('cxone_connector_blocked_routes')),
      /code="CXONE_FORBIDDEN"} 1/,
    );

    // Within the probe interval: the record waits, CXone is not asked again.
    t += 1_000;
    await assert.rejects(process(record(event({ eventId: 'evt-2' }))), (error: unknown) => {
      assert.ok(error instanceof ConnectorError);
      assert.equal(error.code, 'ROUTE_BLOCKED');
      assert.equal(error.retryAfterMs, 4_000);
      return true;
    });
    assert.equal(calls.length, 1);

    // Another route is not blocked: a record that only needs it goes on.
    const other = await process(record(event({ eventId: 'evt-3', eventType: 'ORDER_SHIPPED' })));
    assert.deepEqual(summarize(other).results, ['ACCEPTED']);

    // The scope is granted; the next probe gets through and unblocks the route.
    delete answers['trigger c-1'];
    t += 4_000;
    const fixed = await process(record(event({ eventId: 'evt-2' })));
    assert.deepEqual(summarize(fixed).results, ['ACCEPTED']);
    assert.deepEqual(routeBlocks.list(), []);
    const after = await process(record(event({ eventId: 'evt-4' })));
    assert.deepEqual(summarize(after).results, ['ACCEPTED']);
  });

  it('a fresh attempt sends <key>~n as the Idempotency-Key and deduplicationId; the outputs keep the key', async () => {
    const sentKeys: string[] = [];
    const c: Case = { name: 'fresh', value: event(), seen: [['welcome:evt-1', 'REJECTED', 0]] };
    const s = setup(c);
    const journeys: Pick<JourneyTriggerClient, 'trigger'> = {
      trigger: async (request) => {
        sentKeys.push(
          request.idempotencyKey,
          request.body.deduplicationId,
          (JSON.parse(request.serializedBody) as { deduplicationId: string }).deduplicationId,
        );
        return accepted;
      },
    };
    const outputs = await createRecordProcessor({ ...s.deps, journeys })(record(event()));
    assert.deepEqual(sentKeys, ['welcome:evt-1~1', 'welcome:evt-1~1', 'welcome:evt-1~1']);
    assert.equal(outputs.results[0]?.key, 'welcome:evt-1');
    assert.equal(field(outputs.audit[0]!, 'cxoneIdempotencyKey'), 'welcome:evt-1~1');
    assert.deepEqual(outputs.remember[0]?.entry.attempt, 1);
    assert.equal(field(outputs.dedup[0]!, 'attempt'), 1);
  });

  it('the same idempotency key in flight under two Kafka keys: one CXone call, the second is DUPLICATE', async () => {
    const s = setup({ name: 'twins', value: event() });
    let calls = 0;
    const journeys: Pick<JourneyTriggerClient, 'trigger'> = {
      trigger: async () => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return accepted;
      },
    };
    const processTwins = createRecordProcessor({ ...s.deps, journeys });
    // Different Kafka keys, even different partitions: the key-ordered queue runs them side by side.
    const [first, second] = await Promise.all([
      processTwins({ ...record(event()), key: Buffer.from('k-a') }),
      processTwins({ ...record(event()), partition: 1, key: Buffer.from('k-b') }),
    ]);
    assert.equal(calls, 1);
    assert.deepEqual([summarize(first).results, summarize(second).results], [['ACCEPTED'], ['DUPLICATE']]);
    assert.deepEqual(summarize(second).dedup, [], 'a DUPLICATE writes no dedup entry');
    assert.equal(s.deps.inFlight.size(), 0, 'nothing stays held');
  });

  it('a record that fails before deciding lets the next one with its key try for real', async () => {
    const s = setup({ name: 'fails', value: event() });
    let calls = 0;
    const journeys: Pick<JourneyTriggerClient, 'trigger'> = {
      trigger: async () => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 10));
        if (calls === 1) throw new CxoneError('CXONE_SERVER_ERROR', 'boom', { retryable: true });
        return accepted;
      },
    };
    const processTwins = createRecordProcessor({ ...s.deps, journeys });
    const [first, second] = await Promise.allSettled([
      processTwins({ ...record(event()), key: Buffer.from('k-a') }),
      processTwins({ ...record(event()), key: Buffer.from('k-b') }),
    ]);
    assert.equal(first.status, 'rejected');
    assert.equal(second.status === 'fulfilled' && summarize(second.value).results[0], 'ACCEPTED');
    assert.equal(calls, 2);
  });

  it('a record replayed from the DLQ says so in its audit record', async () => {
    const { process } = setup({ name: 'replay', value: event() });
    const replayed = { ...record(event()), headers: { 'cxone.replay.of': Buffer.from('cxone.dlq/2/17') } };
    const outputs = await process(replayed);
    assert.equal(field(outputs.audit[0]!, 'replayOf'), 'cxone.dlq/2/17');
    assert.equal(field((await process(record(event({ eventId: 'evt-9' })))).audit[0]!, 'replayOf'), null);
  });

  it('a dead letter keeps the original bytes and says where they came from', async () => {
    const { process } = setup({ name: 'poison', value: '!not-avro' });
    const [dead] = (await process(record('!not-avro'))).dlq;
    assert.equal(dead?.value?.toString('utf8'), '!not-avro');
    assert.equal(dead?.key?.toString(), 'c-1');
    assert.equal(dead?.headers?.[DLQ_HEADERS.topic], 'cdp.events');
    assert.equal(dead?.headers?.[DLQ_HEADERS.partition], '0');
    assert.equal(dead?.headers?.[DLQ_HEADERS.offset], '41');
    assert.equal(dead?.headers?.[DLQ_HEADERS.stage], 'decode');
  });

  it('results and audit records carry the source position and the schema id', async () => {
    const { process } = setup({ name: 'ok', value: event() });
    const outputs = await process(record(event()));
    const [audit] = outputs.audit;
    assert.ok(audit);
    assert.equal(field(audit, 'sourceOffset'), 41);
    assert.equal(field(audit, 'sourceSchemaId'), 7);
    assert.equal(field(audit, 'route'), 'welcome');
    assert.equal(outputs.results[0]?.key, 'welcome:evt-1');
  });

  describe('log lines', () => {
    function capture(level: string) {
      const { lines, sink } = logLines();
      return { lines, logger: pino({ level }, sink) };
    }
    const flush = flushLogs;
    const rejected = CASES.find((c) => c.name.startsWith('CXone rejects the body'))!;

    it('a dead letter CXone refused names the event id and the idempotency key', async () => {
      const { lines, logger } = capture('info');
      await setup(rejected, undefined, logger).process(record(rejected.value));
      await flush();
      const dead = lines.find((l) => String(l.msg).startsWith('dead-lettered'));
      assert.ok(dead, JSON.stringify(lines));
      assert.equal(dead.eventId, 'evt-1');
      assert.equal(dead.idempotencyKey, 'welcome:evt-1');
      assert.equal(dead.code, 'CXONE_BAD_REQUEST');
      assert.equal(dead.offset, '41');
    });

    it('a dead letter before any route mapped names the event id it could read, and no key', async () => {
      const { lines, logger } = capture('info');
      const value = event({ identifiers: { email: 'a@example.com' } });
      await setup({ name: 'unmappable', value }, undefined, logger).process(record(value));
      await flush();
      const dead = lines.find((l) => String(l.msg).startsWith('dead-lettered'));
      assert.equal(dead?.eventId, 'evt-1');
      assert.equal(dead?.idempotencyKey, null);
      assert.equal(dead?.route, 'welcome');
    });

    it('every outcome is a debug line with the event id and key; none at info', async () => {
      const quiet = capture('info');
      await setup({ name: 'ok', value: event() }, undefined, quiet.logger).process(record(event()));
      await flush();
      assert.deepEqual(quiet.lines, []);
      const loud = capture('debug');
      await setup({ name: 'ok', value: event() }, undefined, loud.logger).process(record(event()));
      await flush();
      const line = loud.lines.find((l) => l.outcome === 'ACCEPTED');
      assert.equal(line?.eventId, 'evt-1');
      assert.equal(line?.idempotencyKey, 'welcome:evt-1');
      assert.equal(line?.route, 'welcome');
    });
  });
});
