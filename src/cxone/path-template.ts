/**
 * A configured CXone path template with `{name}` placeholders, split once so
 * that filling it per request is a join, not a regular-expression replace.
 * Each value is URL-encoded; a placeholder without a value stays as written.
 */
export interface PathTemplate {
  (values: Record<string, string>): string;
  /** The template as configured: what messages name, since a filled path can carry a person's id. */
  readonly template: string;
}

export function pathTemplate(template: string): PathTemplate {
  // split with a capture group: literal text at even indexes, placeholder names at odd ones.
  const parts = template.split(/\{(\w+)\}/);
  if (parts.length === 1) return Object.assign(() => template, { template });
  const fill = (values: Record<string, string>): string => {
    let path = parts[0] ?? '';
    for (let i = 1; i < parts.length; i += 2) {
      const name = parts[i] ?? '';
      const value = values[name];
      path += (value === undefined ? `{${name}}` : encodeURIComponent(value)) + (parts[i + 1] ?? '');
    }
    return path;
  };
  return Object.assign(fill, { template });
}
