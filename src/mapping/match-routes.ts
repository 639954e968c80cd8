/**
 * Which routes an event takes: every route whose event types include the
 * event's (or that lists none) and whose `when` predicate is true. Order is the
 * config's, so effects of one event are produced in a stable order.
 */
import type { CompiledRoute, CompiledRoutes } from './compile-routes.ts';
import { NEEDS_EVALUATE } from './route-expression.ts';

export async function matchRoutes(event: unknown, compiled: CompiledRoutes): Promise<CompiledRoute[]> {
  const matched: CompiledRoute[] = [];
  for (const route of compiled.routes) {
    const now = matchesNow(event, route);
    if (now === NEEDS_EVALUATE ? await routeMatches(event, route) : now) matched.push(route);
  }
  return matched;
}

/** The answer of routeMatches where every expression it needs is a plain path; else NEEDS_EVALUATE. */
function matchesNow(event: unknown, route: CompiledRoute): boolean | typeof NEEDS_EVALUATE {
  if (route.eventTypes !== null) {
    const type = route.fields.eventType.evaluateNow(event);
    if (type === NEEDS_EVALUATE) return NEEDS_EVALUATE;
    if (typeof type !== 'string' || !route.eventTypes.has(type)) return false;
  }
  if (route.when === undefined) return true;
  const when = route.when.evaluateNow(event);
  return when === NEEDS_EVALUATE ? NEEDS_EVALUATE : when === true;
}

/** May throw a MappingError (MAPPING_EXPRESSION_FAILED) when a predicate throws. */
async function routeMatches(event: unknown, route: CompiledRoute): Promise<boolean> {
  if (route.eventTypes !== null) {
    const type = await route.fields.eventType.evaluate(event);
    if (typeof type !== 'string' || !route.eventTypes.has(type)) return false;
  }
  // JSONata truthiness is not JavaScript's: only a real `true` takes the route.
  return route.when === undefined || (await route.when.evaluate(event)) === true;
}
