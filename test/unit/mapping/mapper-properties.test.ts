/**
 * Random JSON-ish events against real routes: mapping either returns a request
 * or throws a non-retryable ConnectorError with a code from ERROR_CODES.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { ConnectorError, ERROR_CODES } from '../../../src/errors.ts';
import { mapRoute } from '../../../src/mapping/map-route.ts';
import { matchRoutes } from '../../../src/mapping/match-routes.ts';
import { compiledRoutes } from '../../../devkit/config-fixtures.ts';

const { routes } = compiledRoutes([
  { name: 'plain', journeyId: 'j', fields: { directives: 'properties' } },
  {
    name: 'typed',
    journeyId: 'j',
    when: '$number(properties.amount) > 10',
    fields: { eventType: '$uppercase(eventType)' },
  },
  {
    name: 'action',
    action: 'data-action',
    actionId: 'a',
    inputs: '{ "id": eventId, "n": $count(items) }',
    idempotencyKey: 'eventId & "-" & contactId',
  },
]);
const compiled = { routes, unrouted: 'dlq' as const };

const anyValue = fc.oneof(
  fc.jsonValue(),
  fc.string(),
  fc.integer(),
  fc.constant(undefined),
  fc.constant(null),
);
const eventLike = fc.record(
  {
    eventId: anyValue,
    eventType: anyValue,
    contactId: anyValue,
    occurredAt: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
    identifiers: fc.oneof(
      fc.dictionary(fc.constantFrom('email', 'external_id', 'phone'), anyValue),
      anyValue,
    ),
    properties: fc.oneof(fc.dictionary(fc.string(), anyValue), anyValue),
    items: anyValue,
  },
  { requiredKeys: [] },
);

async function settles(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    assert.ok(error instanceof ConnectorError, `escaped: ${String(error)}`);
    assert.ok(ERROR_CODES.includes(error.code));
    assert.equal(error.retryable, false);
  }
}

describe('mapper properties', () => {
  it('maps or fails with a stable code, whatever the event', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(eventLike, anyValue), async (event) => {
        await settles(() => matchRoutes(event, compiled));
        for (const route of routes) await settles(() => mapRoute(event, route, { maxPayloadBytes: 2_000 }));
      }),
      { numRuns: 1500 },
    );
  });
});

/** Strings shaped like a person's data, long and distinctive enough that a match is a leak, not chance. */
const piiValue = fc.oneof(
  fc.emailAddress().filter((e) => e.length >= 8),
  fc.stringMatching(/^\+44 7\d{3} \d{6}$/),
  fc.stringMatching(/^cust-[a-z0-9]{10}$/),
);
const piiEvent = fc.record({
  pii: fc.array(piiValue, { minLength: 4, maxLength: 4 }),
  shape: fc.constantFrom('string', 'array', 'object'),
});

describe('mapper properties: messages', () => {
  it('never repeat a mapped value, whatever the mapping fault', async () => {
    await fc.assert(
      fc.asyncProperty(piiEvent, async ({ pii, shape }) => {
        const [a = '', b = '', c = '', d = ''] = pii;
        const wrong = shape === 'string' ? a : shape === 'array' ? [a] : { email: a };
        const event = {
          eventId: b,
          eventType: wrong,
          contactId: wrong,
          occurredAt: c,
          identifiers: shape === 'object' ? d : { email: d },
          properties: { amount: c, tier: d },
          items: d,
        };
        const attempts = [
          () => matchRoutes(event, compiled),
          ...routes.map((route) => () => mapRoute(event, route, { maxPayloadBytes: 40 })),
        ];
        let failures = 0;
        for (const attempt of attempts) {
          try {
            await attempt();
          } catch (error) {
            failures++;
            assert.ok(error instanceof ConnectorError);
            // The message and everything an error log line serializes (the cause too).
            const seen = `${error.message} ${inspect(error, { depth: 5 })}`;
            for (const value of [a, c, d]) assert.ok(!seen.includes(value), seen);
          }
        }
        assert.ok(failures > 0, 'the event was built to fail mapping');
      }),
      { numRuns: 500 },
    );
  });
});
