/**
 * JSONata cost per record: maps the same event N times through a dot-path route
 * (the default shape, read directly) and a JSONata route (evaluate is async in
 * jsonata 2), and prints µs/record for each. Run: node bench/mapping-cost.ts
 */
import { compiledRoutes } from '../devkit/config-fixtures.ts';
import { mapRoute } from '../src/mapping/map-route.ts';
import { matchRoutes } from '../src/mapping/match-routes.ts';

const N = Number(process.argv[2] ?? 50_000);
const event = {
  eventId: 'evt-1',
  eventType: 'PURCHASE_COMPLETED',
  occurredAt: Date.UTC(2026, 10, 23),
  contactId: 'c-000001',
  identifiers: { email: 'a@example.com', external_id: 'ext-1', phone: null },
  properties: { order_id: 'ORD-1', tier: 'gold', amount: '1500' },
};
const { routes } = compiledRoutes([
  { name: 'dot-path', journeyId: 'j', fields: { directives: 'properties' } },
  {
    name: 'jsonata',
    journeyId: 'j',
    eventTypes: ['PURCHASE_COMPLETED'],
    when: 'properties.tier = "gold"',
    fields: {
      eventType: '"VIP_" & eventType',
      directives: '{ "order": properties.order_id, "amount": $number(properties.amount) }',
    },
  },
]);

for (const route of routes) {
  for (let i = 0; i < 2_000; i++) await mapRoute(event, route, { maxPayloadBytes: 102_400 }); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    await matchRoutes(event, { routes: [route], unrouted: 'dlq' });
    await mapRoute(event, route, { maxPayloadBytes: 102_400 });
  }
  const us = Number(process.hrtime.bigint() - start) / 1000 / N;
  process.stdout.write(`${route.name}: ${us.toFixed(2)} µs/record (match + map, ${N} records)\n`);
}
