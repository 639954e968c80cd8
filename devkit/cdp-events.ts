/**
 * Sample CDP events for the demo, tests, chaos run and benchmark: generated
 * deterministically, encoded as Confluent-wire Avro with the example schema
 * registered in the real registry, and produced to Kafka keyed by contact id.
 */
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import type { Kafka, Producer } from 'kafkajs';
import { readSchemaFile } from '../src/output/output-schemas.ts';
import { createWireEncoder } from '../src/decode/wire-format.ts';

export interface CdpEvent {
  eventId: string;
  eventType: string;
  occurredAt: number;
  contactId: string;
  identifiers: { email: string | null; external_id: string | null; phone: string | null };
  properties: Record<string, string>;
}

export interface GenerateOptions {
  count: number;
  /** Contacts are `c-000001` … `c-<contacts>`, the simulator's generated ones. */
  contacts: number;
  startAtMs?: number;
  prefix?: string;
}

const EVENT_TYPES = ['SIGNED_UP', 'PURCHASE_COMPLETED', 'CART_ABANDONED'] as const;

export function contactIdFor(n: number): string {
  return `c-${String(n).padStart(6, '0')}`;
}

export function generateEvents(options: GenerateOptions): CdpEvent[] {
  const start = options.startAtMs ?? Date.UTC(2026, 10, 23, 9, 0, 0);
  const prefix = options.prefix ?? 'evt';
  return Array.from({ length: options.count }, (_, i) => {
    const contact = (i % options.contacts) + 1;
    const contactId = contactIdFor(contact);
    return {
      eventId: `${prefix}-${String(i).padStart(7, '0')}`,
      eventType: EVENT_TYPES[i % EVENT_TYPES.length] as string,
      occurredAt: start + i * 1000,
      contactId,
      identifiers: { email: `${contactId}@example.com`, external_id: `ext-${contact}`, phone: null },
      properties: { order_id: `ORD-${i}`, channel: i % 2 === 0 ? 'web' : 'app' },
    };
  });
}

export interface CdpEventEncoder {
  schemaId: number;
  encode(event: CdpEvent): Buffer;
}

/** Registers the example CDP schema under `<topic>-value` and returns a local encoder. */
export async function createCdpEventEncoder(registryUrl: string, topic: string): Promise<CdpEventEncoder> {
  const registry = new SchemaRegistry({ host: registryUrl });
  const text = readSchemaFile('cdp-event.v1');
  const { id } = await registry.register(
    { type: SchemaType.AVRO, schema: text },
    { subject: `${topic}-value` },
  );
  const type = avro.Type.forSchema(JSON.parse(text) as avro.Schema);
  return { schemaId: id, encode: createWireEncoder(type, id) };
}

export interface RawRecord {
  key: string | null;
  value: Buffer | null;
}

export async function produceRecords(
  producer: Producer,
  topic: string,
  records: readonly RawRecord[],
  chunk = 500,
): Promise<void> {
  for (let i = 0; i < records.length; i += chunk) {
    await producer.send({
      topic,
      acks: -1,
      messages: records.slice(i, i + chunk).map((r) => ({ key: r.key, value: r.value })),
    });
  }
}

/** Registers the schema, then produces `events` to `topic` keyed by contact id, with a producer of its own. */
export async function produceEvents(
  kafka: Kafka,
  registryUrl: string,
  topic: string,
  events: readonly CdpEvent[],
  chunk?: number,
): Promise<void> {
  const encoder = await createCdpEventEncoder(registryUrl, topic);
  const producer = kafka.producer();
  await producer.connect();
  try {
    await produceRecords(
      producer,
      topic,
      events.map((e) => ({ key: e.contactId, value: encoder.encode(e) })),
      chunk,
    );
  } finally {
    await producer.disconnect();
  }
}
