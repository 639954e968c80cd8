/**
 * Routes compiled once at start: every JSONata expression of every route is
 * parsed here, so the per-record path only evaluates. Config validation has
 * already rejected expressions that do not compile; a failure here is a bug.
 */
import type { RouteDefinition, UnroutedPolicy } from './route-definition.ts';
import { compileExpression, type RouteExpression } from './route-expression.ts';

export interface CompiledFields {
  eventId: RouteExpression;
  eventType: RouteExpression;
  contactId: RouteExpression;
  timestamp: RouteExpression;
  identifiers: RouteExpression;
  directives: RouteExpression | undefined;
}

export interface CompiledRoute {
  readonly name: string;
  /** The route this was compiled from. */
  readonly definition: RouteDefinition;
  /** Null matches every event type. */
  readonly eventTypes: ReadonlySet<string> | null;
  readonly when: RouteExpression | undefined;
  readonly fields: CompiledFields;
  readonly idempotencyKey: RouteExpression | undefined;
  readonly inputs: RouteExpression | undefined;
  readonly context: RouteExpression | undefined;
}

export interface CompiledRoutes {
  readonly routes: readonly CompiledRoute[];
  /** What happens to an event no route matches. */
  readonly unrouted: UnroutedPolicy;
}

function compileRoute(route: RouteDefinition): CompiledRoute {
  const optional = (source: string | undefined) =>
    source === undefined ? undefined : compileExpression(source);
  return {
    name: route.name,
    definition: route,
    eventTypes: route.eventTypes.length === 0 ? null : new Set(route.eventTypes),
    when: optional(route.when),
    fields: {
      eventId: compileExpression(route.fields.eventId),
      eventType: compileExpression(route.fields.eventType),
      contactId: compileExpression(route.fields.contactId),
      timestamp: compileExpression(route.fields.timestamp),
      identifiers: compileExpression(route.fields.identifiers),
      directives: optional(route.fields.directives),
    },
    idempotencyKey: optional(route.idempotencyKey),
    inputs: route.action === 'data-action' ? compileExpression(route.inputs) : undefined,
    context: route.action === 'data-action' ? optional(route.context) : undefined,
  };
}

export function compileRoutes(routes: readonly RouteDefinition[], unrouted: UnroutedPolicy): CompiledRoutes {
  return { routes: routes.map(compileRoute), unrouted };
}
