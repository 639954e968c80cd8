/**
 * What a route is, as the mapping stage needs it: the options type that config
 * is compiled into (config/compile-config.ts). Expressions are JSONata source
 * text; compile-routes.ts parses them once at start.
 */

export const ROUTE_ACTIONS = ['journey-trigger', 'data-action'] as const;
export type RouteAction = (typeof ROUTE_ACTIONS)[number];

/** What happens to an event no route matches: `dlq` dead-letters it, `skip` audits it as UNROUTED. */
export const UNROUTED_POLICIES = ['skip', 'dlq'] as const;
export type UnroutedPolicy = (typeof UNROUTED_POLICIES)[number];

/** Where a route finds the trigger's fields in the event: each a JSONata expression. */
export interface RouteFields {
  eventId: string;
  eventType: string;
  contactId: string;
  timestamp: string;
  identifiers: string;
  /** Journey attributes besides the identifiers; a record. */
  directives?: string | undefined;
}

interface RouteBase {
  name: string;
  /** Only events of these types take the route; empty matches all. */
  eventTypes: readonly string[];
  /** A predicate: the route is taken only where it is true. */
  when?: string | undefined;
  fields: RouteFields;
  requiredIdentifiers: readonly string[];
  /** Replaces the event id in the idempotency key `<route>:<value>`. */
  idempotencyKey?: string | undefined;
}

export interface JourneyTriggerRouteDefinition extends RouteBase {
  action: 'journey-trigger';
  journeyId: string;
}

export interface DataActionRouteDefinition extends RouteBase {
  action: 'data-action';
  actionId: string;
  /** An expression giving the inputs record. */
  inputs: string;
  /** An expression giving the context record; `{}` when absent. */
  context?: string | undefined;
  callbackUrl?: string | undefined;
}

export type RouteDefinition = JourneyTriggerRouteDefinition | DataActionRouteDefinition;

export interface MapOptions {
  /** Bound on the serialized request body (CXone refuses bodies over 100 KB). */
  maxPayloadBytes: number;
}
