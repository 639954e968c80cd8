import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import avro from 'avsc';
import fc from 'fast-check';
import { decodeAvroBody, resolveReader } from '../../../src/decode/avro-body.ts';
import { ConnectorError, DecodeError, ERROR_CODES } from '../../../src/errors.ts';

const schema = (version: number) =>
  avro.Type.forSchema(
    JSON.parse(
      readFileSync(new URL(`../../../schemas/cdp-event.v${version}.avsc`, import.meta.url), 'utf8'),
    ) as avro.Schema,
  );
const [v1, v2, v3] = [schema(1), schema(2), schema(3)];

const event = {
  eventId: 'evt-1',
  eventType: 'SIGNED_UP',
  occurredAt: 1_700_000_000_000,
  contactId: 'c-000001',
  identifiers: { email: 'a@example.com', external_id: 'ext-1', phone: null },
  properties: { order_id: 'ORD-1', note: 'caf\u00e9 \uFFFD ok' },
};
const valid = v1.toBuffer(event);

function decodeCode(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    assert.ok(error instanceof ConnectorError, `not a ConnectorError: ${String(error)}`);
    assert.equal(error.retryable, false);
    assert.ok(ERROR_CODES.includes(error.code));
    return error.code;
  }
}

describe('decodeAvroBody', () => {
  it('decodes valid Avro, a genuine U+FFFD included', () => {
    const value = decodeAvroBody(v1, valid) as typeof event;
    assert.equal(value.properties.note, 'caf\u00e9 \uFFFD ok');
  });

  it('refuses invalid UTF-8 in a string field with its own code', () => {
    const body = Buffer.from(valid);
    const at = body.indexOf('evt-1');
    body[at + 1] = 0xff; // "e\xFFt-1": avsc would silently decode this to "e\uFFFDt-1"
    assert.equal(
      decodeCode(() => decodeAvroBody(v1, body, undefined, 7)),
      'DECODE_INVALID_UTF8',
    );
  });

  const table: [string, Buffer, string][] = [
    ['empty', Buffer.alloc(0), 'DECODE_AVRO'],
    ['truncated', valid.subarray(0, valid.length - 3), 'DECODE_AVRO'],
    ['trailing bytes', Buffer.concat([valid, Buffer.from([1, 2])]), 'DECODE_AVRO'],
    // A map block count of 2^40 with two bytes left: avsc alone would loop ~10^12 times.
    [
      'a corrupt map count',
      Buffer.concat([
        valid.subarray(0, valid.length - 1 - 30),
        Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x40]),
      ]),
      'DECODE_AVRO',
    ],
  ];
  for (const [name, body, code] of table) {
    it(`fails ${name} with ${code}`, () =>
      assert.equal(
        decodeCode(() => decodeAvroBody(v1, body)),
        code,
      ));
  }

  it('resolves v1, v2 and v3 writers against a v3 reader', () => {
    const bodies = [
      [v1, v1.toBuffer(event)],
      [v2, v2.toBuffer({ ...event, channel: 'app' })],
      [
        v3,
        v3.toBuffer({
          ...event,
          channel: null,
          identifiers: { email: 'a@example.com', external_id: 'ext-1' },
        }),
      ],
    ] as const;
    for (const [writer, body] of bodies) {
      const value = decodeAvroBody(writer, body, resolveReader(v3, writer)) as Record<string, unknown>;
      assert.equal(value.eventId, 'evt-1');
      assert.ok('channel' in value);
      assert.deepEqual(
        { ...(value.identifiers as object) },
        { email: 'a@example.com', external_id: 'ext-1' },
      );
    }
  });

  it('reports a writer the reader cannot read as DECODE_INCOMPATIBLE_SCHEMA', () => {
    const other = avro.Type.forSchema({
      type: 'record',
      name: 'CdpEvent',
      namespace: 'com.example.cdp',
      fields: [{ name: 'x', type: 'int' }],
    });
    const error = assert.throws(() => resolveReader(v1, other), DecodeError);
    void error;
    assert.equal(
      decodeCode(() => resolveReader(v1, other)),
      'DECODE_INCOMPATIBLE_SCHEMA',
    );
  });

  it('never throws anything but a non-retryable ConnectorError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        decodeCode(() => decodeAvroBody(v1, Buffer.from(bytes)));
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws anything else on truncations and bit flips of valid Avro', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: valid.length }),
        fc.array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 7 })), {
          maxLength: 4,
        }),
        (cut, flips) => {
          const body = Buffer.from(valid.subarray(0, cut === 0 ? valid.length : cut));
          for (const [at, bit] of flips) if (at < body.length) body[at] = body[at]! ^ (1 << bit);
          decodeCode(() => decodeAvroBody(v1, body));
          decodeCode(() => decodeAvroBody(v1, body, resolveReader(v3, v1)));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
