/**
 * One field mapping of a route: a JSONata expression over the decoded event,
 * compiled once when the routes are compiled. A plain dot path (`identifiers.email`)
 * is also valid JSONata; it is read directly, because that is the common case and
 * a direct read costs nanoseconds where a JSONata evaluation costs microseconds.
 * Where the direct read meets an array, JSONata's own semantics (mapping over the
 * array) apply, so both paths always agree.
 */
import jsonata from 'jsonata';
import { MappingError } from '../errors.ts';

const DOT_PATH = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/;
/** JSONata reads these words as literals or operators, never as field names. */
const RESERVED = new Set(['true', 'false', 'null', 'and', 'or', 'in']);
/** What `evaluateNow` answers when only `evaluate` can: a JSONata expression, or a path meeting an array. */
export const NEEDS_EVALUATE: unique symbol = Symbol('needs-evaluate');

export interface RouteExpression {
  /** The expression as written in the config, for error messages. */
  readonly source: string;
  /** The value, or `undefined` when the expression selects nothing. */
  evaluate(event: unknown): Promise<unknown>;
  /**
   * The same value without a promise where the expression is a plain path over plain data (most
   * field mappings), else NEEDS_EVALUATE: the hot path then takes no promise per field.
   */
  evaluateNow(event: unknown): unknown;
}

/** A compile problem as a config message with the JSONata error position, or undefined when it compiles. */
export function expressionProblem(source: string): string | undefined {
  try {
    jsonata(source);
    return undefined;
  } catch (error) {
    const { message, position } = error as { message?: string; position?: number };
    const at = typeof position === 'number' ? ` at position ${position}` : '';
    return `JSONata expression "${source}" does not compile${at}: ${message ?? String(error)}`;
  }
}

/** Whether a JSONata message repeats a value (as JSONata prints one: JSON, or bare text). */
function quotes(message: string, value: unknown): boolean {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  const bare = typeof value === 'string' ? value : undefined;
  return [json, bare].some((text) => text !== undefined && text !== '' && message.includes(text));
}

export function compileExpression(source: string): RouteExpression {
  const compiled = jsonata(source);
  const steps = isDotPath(source) ? source.split('.') : undefined;
  async function viaJsonata(event: unknown): Promise<unknown> {
    try {
      return normalise(await compiled.evaluate(event));
    } catch (error) {
      // Not kept as the cause, and its message only when it quotes no value: JSONata fills
      // `{{value}}` with the event's data ("Unable to cast value to a number: \"ada@…\""), which
      // would carry a person's fields into logs and dead-letter headers.
      const { message, position, code, value, value2 } = error as {
        message?: string;
        position?: number;
        code?: string;
        value?: unknown;
        value2?: unknown;
      };
      const at = typeof position === 'number' ? ` (position ${position})` : '';
      const quotesData = [value, value2].some(
        (v) => v !== undefined && message !== undefined && quotes(message, v),
      );
      const why = quotesData || message === undefined ? `JSONata error ${code ?? 'unknown'}` : message;
      throw new MappingError('MAPPING_EXPRESSION_FAILED', `expression "${source}" failed${at}: ${why}`);
    }
  }
  if (steps === undefined) return { source, evaluate: viaJsonata, evaluateNow: () => NEEDS_EVALUATE };
  return {
    source,
    evaluate(event) {
      const value = readSteps(event, steps);
      return value === NEEDS_EVALUATE ? viaJsonata(event) : Promise.resolve(value);
    },
    evaluateNow: (event) => readSteps(event, steps),
  };
}

function isDotPath(source: string): boolean {
  return DOT_PATH.test(source) && !source.split('.').some((step) => RESERVED.has(step));
}

function readSteps(value: unknown, steps: readonly string[]): unknown {
  let node = value;
  for (const step of steps) {
    if (Array.isArray(node)) return NEEDS_EVALUATE;
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[step];
  }
  return Array.isArray(node) ? NEEDS_EVALUATE : node;
}

/**
 * JSONata marks the arrays it builds with a `sequence` flag and builds objects
 * its own way; a plain deep copy keeps its internals out of requests, so what is
 * sent (and hashed for the audit) is exactly the JSON of plain data.
 */
function normalise(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 100) return value;
  if (Array.isArray(value)) return value.map((item) => normalise(item, depth + 1));
  if (Buffer.isBuffer(value) || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = normalise(item, depth + 1);
  return out;
}
