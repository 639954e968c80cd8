/**
 * The parts of a CXone error body that are safe to repeat in a message: error
 * codes and the names of refused fields, each checked for an identifier's shape.
 * Free text (`message`, `detail`) is never taken: it can echo the inputs sent,
 * which are a person's data, and a message reaches logs, dead letters and `/status`.
 */
const CODE_SHAPE = /^[A-Za-z0-9_.:-]{1,64}$/;

export interface ErrorDetail {
  /** CXone's error codes (`error`, `code`, `errors[].code`), deduplicated. */
  codes: string[];
  /** The fields a seed 002 error body `{ errors: [{ code, message, field }] }` refuses. */
  fields: string[];
}

export function errorDetail(parsed: unknown): ErrorDetail {
  const codes = new Set<string>();
  const fields = new Set<string>();
  const addCode = (value: unknown): void => {
    const text = typeof value === 'number' ? String(value) : value;
    if (typeof text === 'string' && CODE_SHAPE.test(text)) codes.add(text);
  };
  const body = (parsed ?? {}) as { error?: unknown; code?: unknown; errors?: unknown };
  addCode(body.error);
  addCode(body.code);
  if (Array.isArray(body.errors)) {
    for (const entry of body.errors as unknown[]) {
      const { field, code } = (entry ?? {}) as { field?: unknown; code?: unknown };
      addCode(code);
      if (typeof field === 'string' && CODE_SHAPE.test(field)) fields.add(field);
    }
  }
  return { codes: [...codes], fields: [...fields] };
}

export function errorBodyDetail(bodyText: string): ErrorDetail {
  try {
    return errorDetail(JSON.parse(bodyText));
  } catch {
    return { codes: [], fields: [] };
  }
}
