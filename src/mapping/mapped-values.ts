/**
 * Checks on the values a route's expressions produced: each wrong shape is a
 * MappingError with a stable code and a message naming the expression, so a
 * dead-lettered event says exactly which mapping to fix.
 */
import { describeShape } from '../contracts/value-shape.ts';
import { MappingError } from '../errors.ts';

export function requireText(value: unknown, source: string, what: string): string {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new MappingError(
    'MAPPING_FAILED',
    `${what} field "${source}" must be a non-empty string, got ${describeShape(value)}`,
  );
}

export function optionalText(value: unknown, source: string, what: string): string | null {
  return value === undefined || value === null || value === '' ? null : requireText(value, source, what);
}

export function toIsoTimestamp(value: unknown, source: string): string {
  if (typeof value === 'number' && Number.isFinite(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date.toISOString();
  }
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  throw new MappingError(
    'MAPPING_FAILED',
    `timestamp field "${source}" must be epoch millis or an ISO-8601 string, got ${describeShape(value)}`,
  );
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** A record, or `{}` for null/undefined when the field is optional. */
export function requireRecord(
  value: unknown,
  source: string,
  what: string,
  optional: boolean,
): Record<string, unknown> {
  if (isRecord(value)) return value;
  if (optional && (value === undefined || value === null)) return {};
  throw new MappingError(
    'MAPPING_FAILED',
    `${what} "${source}" must be a record, got ${describeShape(value)}`,
  );
}

export function withoutEmpty(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value !== null && value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

/** JSON text of a request part; values JSON cannot carry (a BigInt, a cycle) are a mapping error. */
export function toJson(value: unknown, what: string): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    throw new MappingError(
      'MAPPING_FAILED',
      `${what} cannot be serialized as JSON: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

export function requireSize(serialized: string, maxBytes: number, what: string): void {
  const bytes = Buffer.byteLength(serialized, 'utf8');
  if (bytes > maxBytes) {
    throw new MappingError(
      'PAYLOAD_TOO_LARGE',
      `${what} is ${bytes} bytes, over the ${maxBytes}-byte limit of CXone`,
    );
  }
}
