// Input validation and output computation for data actions (seed 002 "Step 2: Construct
// Invocation Payload & Validate Inputs" and "Error: 422"). The simulator is strict where the seed
// client coerces: a value must already have the JSON type the definition declares.
import type { DataAction, ParamType } from './fixtures-schema.ts';

export interface FieldError {
  code: number;
  message: string;
  field: string;
}

function hasType(value: unknown, type: ParamType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

export function validateInputs(action: DataAction, inputs: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  const declared = new Map(action.inputs.map((i) => [i.name, i]));
  for (const def of action.inputs) {
    if (def.required && (inputs[def.name] === undefined || inputs[def.name] === null)) {
      errors.push({
        code: 422,
        message: `Missing required input '${def.name}'`,
        field: `inputs.${def.name}`,
      });
    }
  }
  for (const [name, value] of Object.entries(inputs)) {
    const def = declared.get(name);
    if (!def) {
      errors.push({ code: 422, message: `Unknown input '${name}'`, field: `inputs.${name}` });
    } else if (value !== null && !hasType(value, def.type)) {
      errors.push({
        code: 422,
        message: `Input '${name}' must be of type ${def.type}`,
        field: `inputs.${name}`,
      });
    }
  }
  return errors;
}

// JSON with sorted keys, so equal inputs hash equally whatever their key order.
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

// FNV-1a, 32 bit: cheap and deterministic.
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

const TIERS = ['bronze', 'silver', 'gold', 'platinum'] as const;

// Outputs named like an input echo it; others are derived from a hash of the inputs.
export function computeOutputs(action: DataAction, inputs: Record<string, unknown>): Record<string, unknown> {
  const base = canonical(inputs);
  const outputs: Record<string, unknown> = {};
  for (const out of action.outputs) {
    if (out.name in inputs) {
      outputs[out.name] = inputs[out.name];
      continue;
    }
    const h = fnv1a(`${action.id}/${out.name}/${base}`);
    switch (out.type) {
      case 'string':
        outputs[out.name] =
          out.name === 'tier' ? TIERS[h % TIERS.length] : `${out.name}-${h.toString(16).padStart(8, '0')}`;
        break;
      case 'number':
        outputs[out.name] = (h % 10_000) / 100;
        break;
      case 'integer':
        outputs[out.name] = h % 1000;
        break;
      case 'boolean':
        outputs[out.name] = h % 2 === 0;
        break;
      case 'array':
        outputs[out.name] = [h.toString(16)];
        break;
      case 'object':
        outputs[out.name] = { hash: h.toString(16) };
        break;
    }
  }
  return outputs;
}
