/**
 * The OAuth scopes each kind of route needs (seed 000 "Error: 403", seed 002
 * "Prerequisites"): what the token request asks for when `cxone.auth.scopes`
 * is not set.
 */
import type { RouteAction } from '../mapping/route-definition.ts';

const SCOPES_BY_ACTION: Record<RouteAction, readonly string[]> = {
  'journey-trigger': ['journeys:trigger', 'contacts:read'],
  'data-action': ['data-actions:read', 'data-actions:execute'],
};

export function scopesForActions(actions: Iterable<RouteAction>): string[] {
  const scopes = new Set<string>();
  for (const action of actions) for (const scope of SCOPES_BY_ACTION[action]) scopes.add(scope);
  return [...scopes];
}
