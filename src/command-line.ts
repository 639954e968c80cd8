/**
 * The one command-line parser of every `cxone-connector` command, so they all
 * behave alike (as kubectl or helm do): `-h`/`--help` prints the command's
 * usage and exits 0; an unknown option, a missing value or a stray argument
 * is named in one line, followed by the usage, exit 2; `--debug` adds the
 * stack trace to a failure. Pure: main.ts does the printing and exiting.
 */
import { parseArgs } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** The value's placeholder in the usage, e.g. `file` for `--config <file>`. */
  valueName?: string;
  description: string;
}

export interface CommandSpec {
  /** As typed: `run`, `dlq replay`. */
  name: string;
  /** One line for the list of commands. */
  title: string;
  /** The synopsis after the command's name, e.g. `--config <file> [options]`. */
  synopsis: string;
  summary: string;
  options: Readonly<Record<string, OptionSpec>>;
  /** What exit codes 0 and 1 mean for this command. */
  exitCodes?: { ok: string; failed: string };
  /** More text after the options (environment variables, examples). */
  notes?: string;
}

export type ParsedCommand =
  | { kind: 'help' }
  | { kind: 'usage-error'; message: string }
  | { kind: 'ok'; values: OptionValues; debug: boolean };

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/** Options every command takes. */
const COMMON: Readonly<Record<string, OptionSpec>> = {
  debug: {
    type: 'boolean',
    description: 'on a failure, print its stack trace too (as LOG_LEVEL=debug does)',
  },
  help: { type: 'boolean', short: 'h', description: 'print this help and exit' },
};

export const EXIT_CODES = { ok: 0, failed: 1, usage: 2 } as const;

export function parseCommand(spec: CommandSpec, args: readonly string[]): ParsedCommand {
  const options = { ...spec.options, ...COMMON };
  const byShort = new Map(
    Object.entries(options).flatMap(([name, o]) => (o.short ? [[o.short, name] as const] : [])),
  );
  const { tokens } = parseArgs({
    args: [...args],
    options: toParseArgs(options),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  // Help wins over every other problem: whoever asks for it is about to fix them.
  if (tokens.some((t) => t.kind === 'option' && (t.name === 'help' || t.name === 'h')))
    return { kind: 'help' };
  for (const token of tokens) {
    if (token.kind === 'positional') return usageError(`unexpected argument "${token.value}"`);
    if (token.kind !== 'option') continue;
    const name = options[token.name] ? token.name : byShort.get(token.name);
    const option = name === undefined ? undefined : options[name];
    if (name === undefined || option === undefined) return usageError(`unknown option ${token.rawName}`);
    if (
      option.type === 'string' &&
      (token.value === undefined || (!token.inlineValue && token.value.startsWith('-')))
    )
      return usageError(`option --${name} needs a value (--${name} <${option.valueName ?? 'value'}>)`);
    if (option.type === 'boolean' && token.value !== undefined)
      return usageError(`option --${name} takes no value`);
  }
  const { values } = parseArgs({ args: [...args], options: toParseArgs(options), strict: true });
  return { kind: 'ok', values: values as OptionValues, debug: values.debug === true };
}

function usageError(message: string): ParsedCommand {
  return { kind: 'usage-error', message };
}

function toParseArgs(options: Readonly<Record<string, OptionSpec>>) {
  return Object.fromEntries(
    Object.entries(options).map(([name, o]) => [
      name,
      { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
    ]),
  );
}

/** The command's usage, options and exit codes, as `--help` prints them. */
export function commandHelp(spec: CommandSpec): string {
  const options = { ...spec.options, ...COMMON };
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` <${o.valueName ?? 'value'}>` : ''}`;
    return [flag, `${o.description}${o.multiple ? ' (repeatable)' : ''}`] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  const exit = spec.exitCodes ?? { ok: 'success', failed: 'failure: the message says what to fix' };
  return [
    `Usage: cxone-connector ${spec.name} ${spec.synopsis}`.trimEnd(),
    '',
    wrap(spec.summary, 100),
    '',
    'Options:',
    ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}${text}`),
    ...(spec.notes ? ['', wrap(spec.notes, 100)] : []),
    '',
    `Exit codes: ${EXIT_CODES.ok} ${exit.ok}; ${EXIT_CODES.failed} ${exit.failed}; ${EXIT_CODES.usage} a usage error (unknown option, missing value).`,
    '',
  ].join('\n');
}

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join('\n');
}
