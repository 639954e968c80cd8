/**
 * Maps a decoded event onto a data action invocation (seed document 002,
 * "Step 2: Construct Invocation Payload & Validate Inputs"). Pure: the CXone
 * client validates the inputs against the action's schema, which needs I/O.
 */
import { MappingError } from '../errors.ts';
import type { RouteConfig } from '../config/schema.ts';
import type { DataActionRequest } from './data-action-request.ts';
import { deriveIdempotencyKey } from './idempotency-key.ts';
import { optionalText, requireRecord, requireSize, requireText, toJson } from './mapped-values.ts';
import type { MapOptions } from './journey-trigger-mapper.ts';

export interface DataActionValues {
  eventId: unknown;
  contactId: unknown;
  inputs: unknown;
  context: unknown;
  keySource?: unknown;
}

export function buildDataAction(
  values: DataActionValues,
  route: RouteConfig,
  options: MapOptions,
): DataActionRequest {
  if (route.actionId === undefined || route.inputs === undefined) {
    throw new MappingError('MAPPING_FAILED', `route "${route.name}" has no actionId or inputs`);
  }
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
