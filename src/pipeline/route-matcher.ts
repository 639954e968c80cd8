import type { JourneyRouteConfig } from '../config/schema.ts';
import { readPath } from '../mapping/field-path.ts';

/** The routes an event takes: every route whose event types include the event's (or that lists none). */
export function matchRoutes(event: unknown, routes: readonly JourneyRouteConfig[]): JourneyRouteConfig[] {
  return routes.filter((route) => {
    if (route.eventTypes.length === 0) return true;
    const type = readPath(event, route.fields.eventType);
    return typeof type === 'string' && route.eventTypes.includes(type);
  });
}
