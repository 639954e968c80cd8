/**
 * Which routes an event takes: every route whose event types include the
 * event's (or that lists none) and whose `when` predicate is true. Order is the
 * config's, so effects of one event are produced in a stable order.
 */
import type { CompiledRoute, CompiledRoutes } from './compile-routes.ts';
import { NEEDS_EVALUATE, type RouteExpression } from './route-expression.ts';

export async function matchRoutes(event: unknown, compiled: CompiledRoutes): Promise<CompiledRoute[]> {
  const matched: CompiledRoute[] = [];
  for (const route of compiled.routes) {
    const takes = routeMatches(event, route);
    if (typeof takes === 'boolean' ? takes : await takes) matched.push(route);
  }
  return matched;
}

/**
 * Answered at once where the expressions it needs are plain paths, else as a promise (JSONata).
 * May throw a MappingError (MAPPING_EXPRESSION_FAILED) when a predicate throws.
 */
function routeMatches(event: unknown, route: CompiledRoute): boolean | Promise<boolean> {
  const { eventTypes } = route;
  if (eventTypes === null) return whenHolds(event, route);
  const ofType = (type: unknown) =>
    typeof type === 'string' && eventTypes.has(type) ? whenHolds(event, route) : false;
  return apply(route.fields.eventType, event, ofType);
}

function whenHolds(event: unknown, route: CompiledRoute): boolean | Promise<boolean> {
  // JSONata truthiness is not JavaScript's: only a real `true` takes the route.
  return route.when === undefined ? true : apply(route.when, event, (value) => value === true);
}

/** `then` on the expression's value, without a promise when the value is there at once. */
function apply<T>(
  expression: RouteExpression,
  event: unknown,
  then: (value: unknown) => T | Promise<T>,
): T | Promise<T> {
  const now = expression.evaluateNow(event);
  return now === NEEDS_EVALUATE ? expression.evaluate(event).then(then) : then(now);
}
