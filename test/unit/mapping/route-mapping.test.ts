import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectorError, MappingError } from '../../../src/errors.ts';
import { mapRoute } from '../../../src/mapping/map-route.ts';
import { matchRoutes } from '../../../src/mapping/match-routes.ts';
import { compileExpression, NEEDS_EVALUATE } from '../../../src/mapping/route-expression.ts';
import { decideUnrouted } from '../../../src/mapping/unrouted-policy.ts';
import { routesOf, testConfig } from '../../../devkit/config-fixtures.ts';

function compiled(routes: Record<string, unknown>[], processing: Record<string, unknown> = {}) {
  const config = testConfig({ routes, processing });
  return { config, routes: routesOf(config) };
}

const event = {
  eventId: 'evt-1',
  eventType: 'PURCHASE_COMPLETED',
  occurredAt: Date.UTC(2026, 10, 23, 12, 0, 0),
  contactId: 'c-000001',
  identifiers: { email: 'a@example.com', external_id: 'ext-1', phone: null },
  properties: { order_id: 'ORD-1', tier: 'gold', amount: '1500' },
  items: [{ sku: 'A' }, { sku: 'B' }],
};
const options = { maxPayloadBytes: 102_400 };

async function mappingError(promise: Promise<unknown>): Promise<MappingError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof MappingError, `expected a MappingError, got ${String(error)}`);
    assert.equal(error.retryable, false);
    return error;
  }
  assert.fail('expected a MappingError');
}

describe('mapRoute', () => {
  it('maps the default (dot-path) route onto the seed 000 trigger request', async () => {
    const { routes } = compiled([
      { name: 'welcome', journeyId: 'j-w', fields: { directives: 'properties' } },
    ]);
    const route = routes.routes[0]!;
    const request = await mapRoute(event, route, options);
    const body = {
      contactId: 'c-000001',
      attributes: {
        order_id: 'ORD-1',
        tier: 'gold',
        amount: '1500',
        email: 'a@example.com',
        external_id: 'ext-1',
      },
      event: 'PURCHASE_COMPLETED',
      deduplicationId: 'welcome:evt-1',
      timestamp: '2026-11-23T12:00:00.000Z',
    };
    assert.deepEqual(request, {
      kind: 'journey-trigger',
      route: 'welcome',
      journeyId: 'j-w',
      contactId: 'c-000001',
      eventId: 'evt-1',
      idempotencyKey: 'welcome:evt-1',
      body,
      serializedBody: JSON.stringify(body),
    });
    assert.equal(request.idempotencyKey, 'welcome:evt-1');
  });

  it('evaluates JSONata field mappings, including arrays and functions', async () => {
    const { routes } = compiled([
      {
        name: 'vip',
        journeyId: 'j-vip',
        requiredIdentifiers: ['email'],
        fields: {
          eventType: '"VIP_" & eventType',
          directives: '{ "skus": items.sku, "amount": $number(properties.amount) }',
        },
      },
    ]);
    const request = await mapRoute(event, routes.routes[0]!, options);
    assert.equal(request.kind, 'journey-trigger');
    if (request.kind !== 'journey-trigger') return;
    assert.equal(request.body.event, 'VIP_PURCHASE_COMPLETED');
    assert.deepEqual(request.body.attributes, {
      skus: ['A', 'B'],
      amount: 1500,
      email: 'a@example.com',
      external_id: 'ext-1',
    });
    assert.equal(request.serializedBody, JSON.stringify(request.body));
  });

  it('maps a data action with inputs, context, callback and a templated idempotency key', async () => {
    const { routes } = compiled([
      {
        name: 'order',
        action: 'data-action',
        actionId: 'flag-order',
        inputs: '{ "orderId": properties.order_id }',
        context: '{ "source": "cdp" }',
        callbackUrl: 'https://hooks.example.com/cb',
        idempotencyKey: 'properties.order_id',
      },
    ]);
    const request = await mapRoute(event, routes.routes[0]!, options);
    assert.deepEqual(request, {
      kind: 'data-action',
      route: 'order',
      actionId: 'flag-order',
      contactId: 'c-000001',
      eventId: 'evt-1',
      idempotencyKey: 'order:ORD-1',
      inputs: { orderId: 'ORD-1' },
      context: { source: 'cdp' },
      callbackUrl: 'https://hooks.example.com/cb',
    });
  });

  const failures: [string, Record<string, unknown>, unknown, string][] = [
    [
      'an expression that throws',
      { fields: { eventId: '$number("x")' } },
      event,
      'MAPPING_EXPRESSION_FAILED',
    ],
    ['a wrong type', { fields: { directives: 'items' } }, event, 'MAPPING_FAILED'],
    ['a missing identifier', {}, { ...event, identifiers: { email: 'a@b' } }, 'IDENTIFIERS_MISSING'],
    ['an empty templated key', { idempotencyKey: 'nothing' }, event, 'MAPPING_FAILED'],
    [
      'a payload over the limit',
      { fields: { directives: '{ "big": $pad("", 200000, "x") }' } },
      event,
      'PAYLOAD_TOO_LARGE',
    ],
  ];
  for (const [name, overrides, input, code] of failures) {
    it(`turns ${name} into ${code}`, async () => {
      const { routes } = compiled([{ name: 'r', journeyId: 'j', ...overrides }]);
      const error = await mappingError(mapRoute(input, routes.routes[0]!, options));
      assert.equal(error.code, code);
      assert.ok(error.message.length > 10);
    });
  }
});

describe('compileExpression: the promise-free read agrees with evaluate', () => {
  it('reads a plain path now, and leaves JSONata and paths through arrays to evaluate', async () => {
    const cases: [string, unknown][] = [
      ['eventId', 'evt-1'],
      ['identifiers.email', 'a@example.com'],
      ['identifiers.phone', null],
      ['identifiers.missing', undefined],
      ['eventId.deeper', undefined],
      ['items', NEEDS_EVALUATE],
      ['items.sku', NEEDS_EVALUATE],
      ['$uppercase(properties.tier)', NEEDS_EVALUATE],
    ];
    for (const [source, now] of cases) {
      const expression = compileExpression(source);
      assert.equal(expression.evaluateNow(event), now, source);
      if (now !== NEEDS_EVALUATE) assert.equal(await expression.evaluate(event), now, source);
    }
    assert.deepEqual(await compileExpression('items.sku').evaluate(event), ['A', 'B']);
  });
});

describe('matchRoutes', () => {
  const { routes } = compiled([
    { name: 'thanks', eventTypes: ['PURCHASE_COMPLETED'], journeyId: 'j-1' },
    { name: 'vip', eventTypes: ['PURCHASE_COMPLETED'], when: 'properties.tier = "gold"', journeyId: 'j-2' },
    { name: 'large', when: '$number(properties.amount) >= 2000', journeyId: 'j-3' },
    { name: 'signup', eventTypes: ['SIGNED_UP'], journeyId: 'j-4' },
  ]);

  it('takes every route whose event types and predicate match, each with its own key', async () => {
    const matched = await matchRoutes(event, routes);
    assert.deepEqual(
      matched.map((r) => r.name),
      ['thanks', 'vip'],
    );
    const keys = await Promise.all(
      matched.map(async (r) => (await mapRoute(event, r, options)).idempotencyKey),
    );
    assert.deepEqual(keys, ['thanks:evt-1', 'vip:evt-1']);
    const silver = { ...event, properties: { ...event.properties, tier: 'silver', amount: '2500' } };
    assert.deepEqual(
      (await matchRoutes(silver, routes)).map((r) => r.name),
      ['thanks', 'large'],
    );
  });

  it('rejects a predicate that throws as a MappingError, never a crash', async () => {
    const error = await mappingError(matchRoutes({ ...event, properties: { amount: 'x' } }, routes));
    assert.equal(error.code, 'MAPPING_EXPRESSION_FAILED');
  });

  it('applies the unrouted policy: dlq (default) or skip with the event identity', () => {
    const { routes: dlq } = compiled([{ name: 'r', journeyId: 'j' }]);
    assert.equal(dlq.unrouted, 'dlq');
    const decision = decideUnrouted(event, dlq.unrouted);
    assert.equal(decision.action, 'dlq');
    assert.ok(decision.action === 'dlq' && decision.error instanceof ConnectorError);
    assert.equal(decision.action === 'dlq' && decision.error.code, 'NO_ROUTE');
    const { routes: skip } = compiled([{ name: 'r', journeyId: 'j' }], { unrouted: 'skip' });
    assert.deepEqual(decideUnrouted(event, skip.unrouted), {
      action: 'skip',
      eventId: 'evt-1',
      eventType: 'PURCHASE_COMPLETED',
    });
  });
});
