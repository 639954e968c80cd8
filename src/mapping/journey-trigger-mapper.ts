/**
 * Maps a decoded CDP event onto the journey trigger body of seed document 000
 * ("Step 2: Payload Construction and Schema Validation"):
 *   { contactId, attributes: identifiers + directives, event, deduplicationId, timestamp }
 * Pure: no I/O, no clock. The body is serialized once here and that exact
 * string is what is sent, size-checked and hashed for the audit record.
 */
import { MappingError } from '../errors.ts';
import type { JourneyRouteConfig } from '../config/schema.ts';
import { readPath } from './field-path.ts';
import { deriveIdempotencyKey } from './idempotency-key.ts';
import {
  describe,
  isRecord,
  requireRecord,
  requireSize,
  requireText,
  toIsoTimestamp,
  toJson,
  withoutEmpty,
} from './mapped-values.ts';

export interface JourneyTriggerBody {
  contactId: string;
  attributes: Record<string, unknown>;
  event: string;
  deduplicationId: string;
  timestamp: string;
}

export interface JourneyTriggerRequest {
  kind: 'journey-trigger';
  route: string;
  journeyId: string;
  contactId: string;
  eventId: string;
  idempotencyKey: string;
  body: JourneyTriggerBody;
  /** The exact bytes sent to CXone. */
  serializedBody: string;
}

export interface MapOptions {
  maxPayloadBytes: number;
}

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

/** Checks the values and builds the request; shared by the dot-path and the JSONata mapping. */
export function buildJourneyTrigger(
  values: JourneyTriggerValues,
  route: JourneyRouteConfig,
  options: MapOptions,
): JourneyTriggerRequest {
  const fields = route.fields;
  if (route.journeyId === undefined) {
    throw new MappingError('MAPPING_FAILED', `route "${route.name}" has no journeyId`);
  }
  const eventId = requireText(values.eventId, fields.eventId, 'event id');
  const eventType = requireText(values.eventType, fields.eventType, 'event type');
  const contactId = requireText(values.contactId, fields.contactId, 'contact id');
  const timestamp = toIsoTimestamp(values.timestamp, fields.timestamp);

  if (!isRecord(values.identifiers)) {
    throw new MappingError(
      'IDENTIFIERS_MISSING',
      `field "${fields.identifiers}" must be a record of contact identifiers, got ${describe(values.identifiers)}`,
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

/**
 * The synchronous dot-path mapping the record processor used before routes
 * became JSONata; kept for existing callers. New code uses `mapRoute`.
 */
export function mapJourneyTrigger(
  event: unknown,
  route: JourneyRouteConfig,
  options: MapOptions,
): JourneyTriggerRequest {
  const fields = route.fields;
  return buildJourneyTrigger(
    {
      eventId: readPath(event, fields.eventId),
      eventType: readPath(event, fields.eventType),
      contactId: readPath(event, fields.contactId),
      timestamp: readPath(event, fields.timestamp),
      identifiers: readPath(event, fields.identifiers),
      directives: fields.directives === undefined ? undefined : readPath(event, fields.directives),
    },
    route,
    options,
  );
}
