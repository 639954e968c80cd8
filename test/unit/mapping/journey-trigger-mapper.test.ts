import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MappingError } from '../../../src/errors.ts';
import type { CompiledRoute } from '../../../src/mapping/compile-routes.ts';
import type { JourneyTriggerRequest } from '../../../src/mapping/journey-trigger-request.ts';
import { deriveIdempotencyKey } from '../../../src/mapping/idempotency-key.ts';
import { mapRoute } from '../../../src/mapping/map-route.ts';
import type { MapOptions } from '../../../src/mapping/route-definition.ts';
import { compiledRoutes } from '../../../devkit/config-fixtures.ts';

function route(overrides: Record<string, unknown> = {}): CompiledRoute {
  return compiledRoutes([{ name: 'welcome', journeyId: 'j-welcome', ...overrides }]).routes[0]!;
}

/** The journey trigger a route maps `input` onto (the builder behind mapRoute for journey routes). */
async function mapJourneyTrigger(
  input: unknown,
  compiled: CompiledRoute,
  mapOptions: MapOptions,
): Promise<JourneyTriggerRequest> {
  const request = await mapRoute(input, compiled, mapOptions);
  assert.equal(request.kind, 'journey-trigger');
  return request;
}

const event = {
  eventId: 'evt-1',
  eventType: 'PURCHASE_COMPLETED',
  occurredAt: Date.UTC(2026, 10, 23, 12, 0, 0),
  contactId: 'c-000001',
  identifiers: { email: 'a@example.com', external_id: 'ext-1', phone: null },
  properties: { order_id: 'ORD-1', email: 'directive-must-not-win@example.com' },
};

const options = { maxPayloadBytes: 102_400 };

describe('journey trigger mapping', () => {
  it('builds the seed 000 trigger body: identifiers + directives as attributes, deduplicationId = idempotency key', async () => {
    const request = await mapJourneyTrigger(event, route({ fields: { directives: 'properties' } }), options);
    assert.equal(request.journeyId, 'j-welcome');
    assert.equal(request.idempotencyKey, 'welcome:evt-1');
    assert.deepEqual(request.body, {
      contactId: 'c-000001',
      attributes: { order_id: 'ORD-1', email: 'a@example.com', external_id: 'ext-1' },
      event: 'PURCHASE_COMPLETED',
      deduplicationId: 'welcome:evt-1',
      timestamp: '2026-11-23T12:00:00.000Z',
    });
    assert.equal(request.serializedBody, JSON.stringify(request.body));
  });

  const poison: [string, unknown, string][] = [
    ['missing email', { ...event, identifiers: { external_id: 'x' } }, 'IDENTIFIERS_MISSING'],
    [
      'empty external_id',
      { ...event, identifiers: { email: 'a@b', external_id: '' } },
      'IDENTIFIERS_MISSING',
    ],
    ['identifiers not a record', { ...event, identifiers: 'nope' }, 'IDENTIFIERS_MISSING'],
    ['missing event id', { ...event, eventId: '' }, 'MAPPING_FAILED'],
    ['missing contact id', { ...event, contactId: undefined }, 'MAPPING_FAILED'],
    ['bad timestamp', { ...event, occurredAt: 'yesterday' }, 'MAPPING_FAILED'],
    ['not an object at all', null, 'MAPPING_FAILED'],
  ];
  for (const [name, input, code] of poison) {
    it(`rejects ${name} with ${code}`, async () => {
      await assert.rejects(
        mapJourneyTrigger(input, route(), options),
        (error: unknown) => error instanceof MappingError && error.code === code && !error.retryable,
      );
    });
  }

  it('refuses a body over the size limit, counting UTF-8 bytes', async () => {
    const big = { ...event, properties: { note: 'é'.repeat(60_000) } };
    await assert.rejects(
      mapJourneyTrigger(big, route({ fields: { directives: 'properties' } }), options),
      (error: unknown) => error instanceof MappingError && error.code === 'PAYLOAD_TOO_LARGE',
    );
    await assert.doesNotReject(mapJourneyTrigger(big, route(), options));
  });

  it('accepts ISO timestamps and numeric ids', async () => {
    const request = await mapJourneyTrigger(
      { ...event, eventId: 42, occurredAt: '2026-01-02T03:04:05Z' },
      route(),
      options,
    );
    assert.equal(request.eventId, '42');
    assert.equal(request.body.timestamp, '2026-01-02T03:04:05.000Z');
  });
});

describe('deriveIdempotencyKey', () => {
  it('is stable, readable for header-safe ids and hashed otherwise', () => {
    assert.equal(deriveIdempotencyKey('r', 'evt-1'), 'r:evt-1');
    assert.equal(deriveIdempotencyKey('r', 'evt-1'), deriveIdempotencyKey('r', 'evt-1'));
    assert.notEqual(deriveIdempotencyKey('r1', 'evt-1'), deriveIdempotencyKey('r2', 'evt-1'));
    const hashed = deriveIdempotencyKey('r', 'ünïcode id\nwith newline');
    assert.match(hashed, /^r:sha256:[0-9a-f]{64}$/);
  });
});
