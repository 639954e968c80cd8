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

export function mapJourneyTrigger(
  event: unknown,
  route: JourneyRouteConfig,
  options: MapOptions,
): JourneyTriggerRequest {
  const fields = route.fields;
  const eventId = requireText(event, fields.eventId, 'event id');
  const eventType = requireText(event, fields.eventType, 'event type');
  const contactId = requireText(event, fields.contactId, 'contact id');
  const timestamp = toIsoTimestamp(readPath(event, fields.timestamp), fields.timestamp);

  const identifiers = readPath(event, fields.identifiers);
  if (identifiers === null || typeof identifiers !== 'object' || Array.isArray(identifiers)) {
    throw new MappingError(
      'IDENTIFIERS_MISSING',
      `field "${fields.identifiers}" must be a record of contact identifiers, got ${describe(identifiers)}`,
    );
  }
  const presentIdentifiers = withoutEmpty(identifiers as Record<string, unknown>);
  const missing = route.requiredIdentifiers.filter((name) => presentIdentifiers[name] === undefined);
  if (missing.length > 0) {
    throw new MappingError(
      'IDENTIFIERS_MISSING',
      `missing required contact identifiers: ${missing.join(', ')} (route "${route.name}" requires ${route.requiredIdentifiers.join(', ')})`,
    );
  }

  const directives = fields.directives === undefined ? undefined : readPath(event, fields.directives);
  if (directives !== undefined && directives !== null && (typeof directives !== 'object' || Array.isArray(directives))) {
    throw new MappingError('MAPPING_FAILED', `field "${fields.directives}" must be a record, got ${describe(directives)}`);
  }

  const idempotencyKey = deriveIdempotencyKey(route.name, eventId);
  const body: JourneyTriggerBody = {
    contactId,
    // Identifiers win over a directive of the same name: they identify the contact.
    attributes: { ...(directives as Record<string, unknown> | null | undefined), ...presentIdentifiers },
    event: eventType,
    deduplicationId: idempotencyKey,
    timestamp,
  };
  const serializedBody = JSON.stringify(body);
  const bytes = Buffer.byteLength(serializedBody, 'utf8');
  if (bytes > options.maxPayloadBytes) {
    throw new MappingError(
      'PAYLOAD_TOO_LARGE',
      `journey trigger body is ${bytes} bytes, over the ${options.maxPayloadBytes}-byte limit of CXone`,
    );
  }
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

function requireText(event: unknown, path: string, what: string): string {
  const value = readPath(event, path);
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new MappingError('MAPPING_FAILED', `${what} field "${path}" must be a non-empty string, got ${describe(value)}`);
}

function toIsoTimestamp(value: unknown, path: string): string {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString();
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  throw new MappingError(
    'MAPPING_FAILED',
    `timestamp field "${path}" must be epoch millis or an ISO-8601 string, got ${describe(value)}`,
  );
}

function withoutEmpty(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value !== null && value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `"${value.slice(0, 40)}"` : typeof value;
}
