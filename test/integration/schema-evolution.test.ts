/**
 * Input schema evolution on the real registry and broker: events written with
 * cdp-event v1, v2 and v3 in one topic all decode and map, with and without a
 * configured reader schema; poison values become stable decode codes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { Kafka, logLevel } from 'kafkajs';
import { readTopicToEnd, type ReadRecord } from '../../src/replay/read-topic.ts';
import { compiledRoutes } from '../../devkit/config-fixtures.ts';
import { loadReaderSchema } from '../../src/decode/reader-schema.ts';
import { createEventDecoder } from '../../src/decode/event-decoder.ts';
import { toWireFormat } from '../../src/decode/wire-format.ts';
import { ConnectorError } from '../../src/errors.ts';
import { mapRoute } from '../../src/mapping/map-route.ts';
import { matchRoutes } from '../../src/mapping/match-routes.ts';
import { readSchemaFile } from '../../src/output/output-schemas.ts';
import { testStack } from '../support/stack-env.ts';
import { createTopics } from '../../src/kafka/create-topics.ts';

const stack = testStack();
const id = Date.now().toString(36);
const topic = `evolution-${id}`;
const base = {
  eventType: 'SIGNED_UP',
  occurredAt: Date.UTC(2026, 0, 1),
  contactId: 'c-000001',
  properties: { plan: 'pro' },
};
const byVersion = {
  1: { ...base, eventId: 'e-v1', identifiers: { email: 'a@x.io', external_id: 'x1', phone: null } },
  2: {
    ...base,
    eventId: 'e-v2',
    channel: 'app',
    identifiers: { email: 'a@x.io', external_id: 'x1', phone: '1' },
  },
  3: { ...base, eventId: 'e-v3', channel: null, identifiers: { email: 'a@x.io', external_id: 'x1' } },
};

describe('input schema evolution on the real stack', { timeout: 45_000 }, () => {
  const kafka = new Kafka({
    clientId: `it-evo-${id}`,
    brokers: [stack.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const registry = new SchemaRegistry({ host: stack.registryUrl });
  let records: ReadRecord[] = [];
  let v1Id = 0;

  before(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [{ topic, numPartitions: 1 }]);
    await admin.disconnect();
    const values: Buffer[] = [];
    for (const version of [1, 2, 3] as const) {
      const schema = readSchemaFile(`cdp-event.v${version}`);
      const { id: schemaId } = await registry.register(
        { type: SchemaType.AVRO, schema },
        { subject: `${topic}-value` },
      );
      if (version === 1) v1Id = schemaId;
      const type = avro.Type.forSchema(JSON.parse(schema) as avro.Schema);
      values.push(toWireFormat(schemaId, type.toBuffer(byVersion[version])));
    }
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: values.map((value) => ({ key: 'c-000001', value })) });
    await producer.disconnect();
    records = await readTopicToEnd(kafka, topic);
  });
  after(() => undefined);

  const routes = compiledRoutes([
    { name: 'welcome', journeyId: 'j-welcome', fields: { directives: 'properties' } },
    {
      name: 'by-channel',
      journeyId: 'j-ch',
      when: '$exists(channel) and channel != null',
      fields: { directives: '{ "channel": channel }' },
    },
  ]);

  for (const [label, readerTypes] of [
    ['writer schemas only', undefined],
    ['a v3 reader schema', new Map([[topic, loadReaderSchema('schemas/cdp-event.v3.avsc')]])],
  ] as const) {
    it(`decodes and maps v1, v2 and v3 events from one topic with ${label}`, async () => {
      assert.equal(records.length, 3);
      const decoder = createEventDecoder(registry, readerTypes ? { readerTypes } : {});
      const mapped: string[] = [];
      for (const record of records) {
        const { value } = await decoder.decode(record.value, topic);
        for (const route of await matchRoutes(value, routes)) {
          const request = await mapRoute(value, route, { maxPayloadBytes: 102_400 });
          assert.equal(request.kind, 'journey-trigger');
          if (request.kind === 'journey-trigger') assert.equal(request.body.attributes.email, 'a@x.io');
          mapped.push(request.idempotencyKey);
        }
      }
      assert.deepEqual(mapped.sort(), ['by-channel:e-v2', 'welcome:e-v1', 'welcome:e-v2', 'welcome:e-v3']);
    });
  }

  it('turns poison values into stable, non-retryable decode codes', async () => {
    const decoder = createEventDecoder(registry, { maxValueBytes: 102_400 });
    const good = records[0]!.value!;
    const table: [string, Buffer | null, string][] = [
      ['tombstone', null, 'DECODE_TOMBSTONE'],
      ['wrong magic byte', Buffer.from([1, 0, 0, 0, 1, 2]), 'DECODE_MAGIC_BYTE'],
      ['unknown schema id', toWireFormat(2_000_000_000, Buffer.from([2])), 'DECODE_UNKNOWN_SCHEMA'],
      ['truncated Avro', good.subarray(0, good.length - 4), 'DECODE_AVRO'],
      ['over 100 KB', Buffer.concat([good, Buffer.alloc(110_000)]), 'DECODE_TOO_LARGE'],
      [
        'invalid UTF-8',
        Buffer.from(good).fill(0xff, good.indexOf('e-v1') + 1, good.indexOf('e-v1') + 2),
        'DECODE_INVALID_UTF8',
      ],
    ];
    for (const [name, bytes, code] of table) {
      await assert.rejects(
        decoder.decode(bytes, topic),
        (error) => error instanceof ConnectorError && error.code === code && !error.retryable,
        name,
      );
    }
    assert.ok(v1Id > 0);
  });
});
