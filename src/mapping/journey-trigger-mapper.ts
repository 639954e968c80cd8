/**
 * Builds the journey trigger body of seed document 000
 * ("Step 2: Payload Construction and Schema Validation"):
 *   { contactId, attributes: identifiers + directives, event, deduplicationId, timestamp }
 * Pure: no I/O, no clock. The body is serialized once here and that exact
 * string is what is sent, size-checked and hashed for the audit record.
 */
import { describeShape } from '../contracts/value-shape.ts';
import { MappingError } from '../errors.ts';
import { deriveIdempotencyKey } from './idempotency-key.ts';
import type { JourneyTriggerBody, JourneyTriggerRequest } from './journey-trigger-request.ts';
import {
  isRecord,
  requireRecord,
  requireSize,
  requireText,
  toIsoTimestamp,
  toJson,
  withoutEmpty,
} from './mapped-values.ts';
import type { JourneyTriggerRouteDefinition, MapOptions } from './route-definition.ts';

/** The raw values a route's field mappings produced for one event. */
export interface JourneyTriggerValues {
  eventId: unknown;
  eventType: unknown;
  contactId: unknown;
  timestamp: unknown;
  identifiers: unknown;
  directives: unknown;
  /** From the route's `idempotencyKey` expression; undefined uses the event id. */
  keySource?: unknown;
}

/** Checks the values a route's expressions produced and builds the request. */
export function buildJourneyTrigger(
  values: JourneyTriggerValues,
  route: JourneyTriggerRouteDefinition,
  options: MapOptions,
): JourneyTriggerRequest {
  const fields = route.fields;
  const eventId = requireText(values.eventId, fields.eventId, 'event id');
  const eventType = requireText(values.eventType, fields.eventType, 'event type');
  const contactId = requireText(values.contactId, fields.contactId, 'contact id');
  const timestamp = toIsoTimestamp(values.timestamp, fields.timestamp);

  if (!isRecord(values.identifiers)) {
    throw new MappingError(
      'IDENTIFIERS_MISSING',
      `field "${fields.identifiers}" must be a record of contact identifiers, got ${describeShape(values.identifiers)}`,
    );
  }
  const presentIdentifiers = withoutEmpty(values.identifiers);
  const missing = route.requiredIdentifiers.filter((name) => presentIdentifiers[name] === undefined);
  if (missing.length > 0) {
    throw new MappingError(
      'IDENTIFIERS_MISSING',
      `missing required contact identifiers: ${missing.join(', ')} (route "${route.name}" requires ${route.requiredIdentifiers.join(', ')})`,
    );
  }
  const directives =
    fields.directives === undefined ? {} : requireRecord(values.directives, fields.directives, 'field', true);

  const keySource = !('keySource' in values)
    ? eventId
    : requireText(values.keySource, route.idempotencyKey ?? '', 'idempotency key');
  const idempotencyKey = deriveIdempotencyKey(route.name, keySource);
  const body: JourneyTriggerBody = {
    contactId,
    // Identifiers win over a directive of the same name: they identify the contact.
    attributes: { ...directives, ...presentIdentifiers },
    event: eventType,
    deduplicationId: idempotencyKey,
    timestamp,
  };
  const serializedBody = toJson(body, 'journey trigger body');
  requireSize(serializedBody, options.maxPayloadBytes, 'journey trigger body');
  return {
    kind: 'journey-trigger',
    route: route.name,
    journeyId: route.journeyId,
    contactId,
    eventId,
    idempotencyKey,
    body,
    serializedBody,
  };
}
