/**
 * Maps a decoded event onto a data action invocation (seed document 002,
 * "Step 2: Construct Invocation Payload & Validate Inputs"). Pure: the CXone
 * client validates the inputs against the action's schema, which needs I/O.
 */
import type { DataActionRequest } from './data-action-request.ts';
import { deriveIdempotencyKey } from './idempotency-key.ts';
import { optionalText, requireRecord, requireSize, requireText, toJson } from './mapped-values.ts';
import type { DataActionRouteDefinition, MapOptions } from './route-definition.ts';

export interface DataActionValues {
  eventId: unknown;
  contactId: unknown;
  inputs: unknown;
  context: unknown;
  keySource?: unknown;
}

export function buildDataAction(
  values: DataActionValues,
  route: DataActionRouteDefinition,
  options: MapOptions,
): DataActionRequest {
  const eventId = requireText(values.eventId, route.fields.eventId, 'event id');
  // A data action may act on no contact (e.g. a catalogue update), so the id is optional here.
  const contactId = optionalText(values.contactId, route.fields.contactId, 'contact id');
  const inputs = requireRecord(values.inputs, route.inputs, 'inputs expression', false);
  const context = requireRecord(values.context, route.context ?? '', 'context expression', true);
  const keySource = !('keySource' in values)
    ? eventId
    : requireText(values.keySource, route.idempotencyKey ?? '', 'idempotency key');
  requireSize(
    toJson({ inputs, context }, 'data action inputs'),
    options.maxPayloadBytes,
    'data action inputs',
  );
  return {
    kind: 'data-action',
    route: route.name,
    actionId: route.actionId,
    contactId,
    eventId,
    idempotencyKey: deriveIdempotencyKey(route.name, keySource),
    inputs,
    context,
    ...(route.callbackUrl === undefined ? {} : { callbackUrl: route.callbackUrl }),
  };
}
