/**
 * What happens to an event no route matches (`processing.unrouted`): `dlq`
 * dead-letters it with NO_ROUTE (the default: an unexpected event type is
 * usually a config gap someone must see); `skip` lets it pass with an UNROUTED
 * audit record, for topics that carry events this connector does not handle.
 */
import { MappingError } from '../errors.ts';
import { readPath } from './field-path.ts';
import type { UnroutedPolicy } from './route-definition.ts';

export type UnroutedDecision =
  | { action: 'dlq'; error: MappingError }
  | { action: 'skip'; eventId: string | null; eventType: string | null };

export function decideUnrouted(event: unknown, policy: UnroutedPolicy): UnroutedDecision {
  if (policy === 'dlq') {
    return {
      action: 'dlq',
      error: new MappingError('NO_ROUTE', 'no route matches this event; add a route or filter it upstream'),
    };
  }
  // Best effort: the conventional field names, since no route says where they are.
  return {
    action: 'skip',
    eventId: text(readPath(event, 'eventId')),
    eventType: text(readPath(event, 'eventType')),
  };
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}
