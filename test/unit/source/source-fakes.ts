/**
 * Small hand-written stand-ins for the source layer's dependencies: a manual
 * clock with timers, records as kafkajs hands them over, and a record
 * processor whose every call is resolved or failed by the test.
 */
import type { KafkaMessage } from 'kafkajs';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { emptyOutputs, type InputRecord, type RecordOutputs } from '../../../src/contracts/records.ts';
import { avroString } from '../../../src/audit/audit-chain.ts';

export const silentLogger = pino({ level: 'silent' });
export const testMetrics = () => createMetrics(new Registry(), false);

export interface ManualClock {
  now: () => number;
  schedule: (fn: () => void, ms: number) => () => void;
  /** Moves time forward, running due timers in order. */
  advance: (ms: number) => void;
  pending: () => number;
  /** Milliseconds until the earliest timer is due (undefined: none). */
  nextIn: () => number | undefined;
}

export function manualClock(): ManualClock {
  let t = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => t,
    schedule(fn, ms) {
      const id = seq++;
      timers.set(id, { at: t + ms, fn });
      return () => timers.delete(id);
    },
    advance(ms) {
      const end = t + ms;
      for (;;) {
        const due = [...timers].filter(([, timer]) => timer.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        t = Math.max(t, due[1].at);
        due[1].fn();
      }
      t = end;
    },
    pending: () => timers.size,
    nextIn: () => {
      let at: number | undefined;
      for (const timer of timers.values()) at = at === undefined ? timer.at : Math.min(at, timer.at);
      return at === undefined ? undefined : Math.max(0, at - t);
    },
  };
}

export function message(offset: number, key: string | null, value = `v${offset}`): KafkaMessage {
  return {
    offset: String(offset),
    key: key === null ? null : Buffer.from(key),
    value: Buffer.from(value),
    timestamp: '0',
    attributes: 0,
    headers: {},
    size: 0,
  } as KafkaMessage;
}

/** Outputs that name their record, so a test can tell which records a commit carried. */
const AUDIT_HEADER = Buffer.from([0, 0, 0, 0, 1]);

export function outputsFor(record: InputRecord): RecordOutputs {
  const outputs = emptyOutputs();
  outputs.results.push({ key: `r-${record.offset}`, value: Buffer.from(record.offset) });
  // An audit record as the processor encodes it: a wire header, then its fields before the chain's.
  outputs.audit.push({
    key: `a-${record.offset}`,
    value: Buffer.concat([AUDIT_HEADER, avroString(record.offset)]),
  });
  outputs.remember.push({ key: `k-${record.offset}`, entry: { createdAtMs: 0, outcome: 'ACCEPTED' } });
  return outputs;
}

interface Call {
  record: InputRecord;
  signal: AbortSignal | undefined;
  settled: boolean;
  resolve: () => void;
  fail: (error: unknown) => void;
}

/** A record processor that records each call and leaves its outcome to the test. */
export function controlledProcessor() {
  const calls: Call[] = [];
  const processRecord = (record: InputRecord, signal?: AbortSignal): Promise<RecordOutputs> =>
    new Promise((resolve, reject) => {
      const call: Call = {
        record,
        signal,
        settled: false,
        resolve: () => {
          call.settled = true;
          resolve(outputsFor(record));
        },
        fail: (error) => {
          call.settled = true;
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      };
      calls.push(call);
    });
  const find = (offset: number): Call => {
    const call = calls.filter((c) => c.record.offset === String(offset)).at(-1);
    if (!call) throw new Error(`offset ${offset} was never started`);
    return call;
  };
  return {
    processRecord,
    calls,
    started: () => calls.map((c) => Number(c.record.offset)),
    pending: () => calls.filter((c) => !c.settled),
    resolve: (offset: number) => find(offset).resolve(),
    fail: (offset: number, error: unknown) => find(offset).fail(error),
    signalOf: (offset: number) => find(offset).signal,
  };
}

/** Lets queued microtasks and promise callbacks run. */
export const settle = async (rounds = 5): Promise<void> => {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};
