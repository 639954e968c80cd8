/**
 * Input validation against a data action definition, seed document 002
 * "Step 2: Construct Invocation Payload & Validate Inputs": missing required
 * parameters, unknown parameters, and type coercion. Unlike the seed's
 * `_coerce_type` (where "yes" became true and int("12abc") raised only by
 * luck), a coercion that could lose or invent information is an error: a
 * guess sent to CXone is an effect we cannot take back.
 */
import { describeShape } from '../contracts/value-shape.ts';

export interface InputDefinition {
  name: string;
  type: string;
  required: boolean;
}

export type CoercionResult = { ok: true; value: unknown } | { ok: false; reason: string };

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER_TEXT = /^[+-]?\d+$/;

const ok = (value: unknown): CoercionResult => ({ ok: true, value });
const fail = (reason: string): CoercionResult => ({ ok: false, reason });

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function coerceValue(value: unknown, type: string): CoercionResult {
  switch (type) {
    case 'string':
      if (typeof value === 'string') return ok(value);
      if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') {
        return ok(String(value));
      }
      return fail(`expected a string, got ${describeShape(value)}`);
    case 'number':
      if (typeof value === 'number' && Number.isFinite(value)) return ok(value);
      if (typeof value === 'string' && NUMBER_TEXT.test(value.trim())) {
        const parsed = Number(value.trim());
        if (Number.isFinite(parsed)) return ok(parsed);
      }
      return fail(`expected a number, got ${describeShape(value)}`);
    case 'integer':
      if (typeof value === 'number' && Number.isSafeInteger(value)) return ok(value);
      if (typeof value === 'string' && INTEGER_TEXT.test(value.trim())) {
        const parsed = Number(value.trim());
        // Beyond 2^53 the number would silently change: refuse rather than round.
        if (Number.isSafeInteger(parsed)) return ok(parsed);
      }
      return fail(`expected an integer, got ${describeShape(value)}`);
    case 'boolean':
      if (typeof value === 'boolean') return ok(value);
      if (typeof value === 'string') {
        const text = value.trim().toLowerCase();
        if (text === 'true') return ok(true);
        if (text === 'false') return ok(false);
      }
      return fail(`expected a boolean (or "true"/"false"), got ${describeShape(value)}`);
    case 'array':
      return Array.isArray(value) ? ok(value) : fail(`expected an array, got ${describeShape(value)}`);
    case 'object':
      return isPlainObject(value) ? ok(value) : fail(`expected an object, got ${describeShape(value)}`);
    default:
      // A type this connector does not know yet: send it untouched and let CXone judge it.
      return ok(value);
  }
}

export interface InputValidation {
  inputs: Record<string, unknown>;
  /** One line per problem, `inputs.<name>: <what is wrong>`; empty when valid. */
  problems: string[];
}

export function validateInputs(
  inputs: Record<string, unknown>,
  definitions: readonly InputDefinition[],
): InputValidation {
  const problems: string[] = [];
  const coerced: Record<string, unknown> = {};
  const byName = new Map(definitions.map((d) => [d.name, d]));
  for (const def of definitions) {
    if (def.required && (inputs[def.name] === undefined || inputs[def.name] === null)) {
      problems.push(`inputs.${def.name}: required (${def.type}) but missing`);
    }
  }
  for (const [name, value] of Object.entries(inputs)) {
    const def = byName.get(name);
    if (!def) {
      problems.push(
        `inputs.${name}: unknown parameter (the action accepts ${[...byName.keys()].join(', ')})`,
      );
      continue;
    }
    if (value === undefined) continue;
    if (value === null) {
      if (!def.required) coerced[name] = null;
      continue;
    }
    const result = coerceValue(value, def.type);
    if (result.ok) coerced[name] = result.value;
    else problems.push(`inputs.${name}: ${result.reason}`);
  }
  return { inputs: coerced, problems };
}

/** Reads the `inputs` list of a definition (GET /api/v2/data-actions/{id}); undefined if malformed. */
export function parseInputDefinitions(definition: unknown): InputDefinition[] | undefined {
  const list = (definition as { inputs?: unknown } | null)?.inputs;
  if (!Array.isArray(list)) return undefined;
  const out: InputDefinition[] = [];
  for (const entry of list) {
    const { name, type, required } = (entry ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || typeof type !== 'string') return undefined;
    out.push({ name, type, required: required === true });
  }
  return out;
}
