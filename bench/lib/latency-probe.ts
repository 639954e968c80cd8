/**
 * End-to-end latency as a CDP team sees it: events produced at a steady rate,
 * and for each the time until its result record is readable by a
 * read_committed consumer of the results topic (i.e. its transaction
 * committed). Both clocks are this process's.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import { generateEvents, type CdpEventEncoder } from '../../devkit/cdp-events.ts';

export interface LatencyOptions {
  kafka: Kafka;
  inputTopic: string;
  resultsTopic: string;
  encoder: CdpEventEncoder;
  ratePerSecond: number;
  seconds: number;
  /** Events of this first stretch are sent but not measured. */
  warmupSeconds: number;
  contacts: number;
  prefix: string;
}

export interface LatencyResult {
  produced: number;
  measured: number;
  received: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

export async function measureLatency(options: LatencyOptions): Promise<LatencyResult> {
  const total = Math.round(options.ratePerSecond * (options.warmupSeconds + options.seconds));
  const events = generateEvents({ count: total, contacts: options.contacts, prefix: options.prefix });
  const producedAt = new Map<string, number>();
  const latencies = new Map<string, number>();
  const warmupCount = Math.round(options.ratePerSecond * options.warmupSeconds);
  const measuredIds = new Set(events.slice(warmupCount).map((e) => e.eventId));

  const reader = options.kafka.consumer({
    groupId: `latency-${randomUUID()}`,
    readUncommitted: false,
    maxWaitTimeInMs: 50,
  });
  let joined: () => void = () => undefined;
  const hasJoined = new Promise<void>((resolve) => (joined = resolve));
  reader.on(reader.events.GROUP_JOIN, () => joined());
  await reader.connect();
  await reader.subscribe({ topic: options.resultsTopic, fromBeginning: true });
  await reader.run({
    eachBatch: async ({ batch }) => {
      const now = Date.now();
      for (const message of batch.messages) {
        // Results are keyed by the idempotency key, `<route>:<eventId>`.
        const key = message.key?.toString() ?? '';
        const eventId = key.slice(key.indexOf(':') + 1);
        const at = producedAt.get(eventId);
        if (at !== undefined && !latencies.has(eventId)) latencies.set(eventId, now - at);
      }
    },
  });
  await hasJoined;

  const producer = options.kafka.producer();
  await producer.connect();
  const started = Date.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * options.ratePerSecond));
    if (due > sent) {
      const chunk = events.slice(sent, due);
      const at = Date.now();
      for (const e of chunk) producedAt.set(e.eventId, at);
      await producer.send({
        topic: options.inputTopic,
        acks: -1,
        messages: chunk.map((e) => ({ key: e.contactId, value: options.encoder.encode(e) })),
      });
      sent = due;
    }
    await sleep(10);
  }
  await producer.disconnect();
  const deadline = Date.now() + 60_000;
  while (latencies.size < total && Date.now() < deadline) await sleep(200);
  await reader.disconnect();

  const measured = [...latencies].filter(([id]) => measuredIds.has(id)).map(([, ms]) => ms);
  measured.sort((a, b) => a - b);
  return {
    produced: total,
    measured: measured.length,
    received: latencies.size,
    p50Ms: percentile(measured, 50),
    p99Ms: percentile(measured, 99),
    maxMs: measured.at(-1) ?? Number.NaN,
  };
}
