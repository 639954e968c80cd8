/**
 * What a wrong value looked like, for a message, without the value: its type
 * and size. A mapped value is usually a person's data (an email, a phone, a
 * contact id), and a message reaches logs, dead letters, `errorMessage` and `/status`.
 */
export function describeShape(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string')
    return value === '' ? 'an empty string' : `a string of ${value.length} characters`;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return `the number ${String(value)}`;
    return Number.isInteger(value) ? 'an integer' : 'a fractional number';
  }
  if (typeof value === 'object') return Buffer.isBuffer(value) ? 'bytes' : 'an object';
  return `a ${typeof value}`;
}
