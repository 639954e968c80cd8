/** A pino destination that keeps every JSON line written to it, parsed. */
import { Writable } from 'node:stream';

export function logLines(): { lines: Record<string, unknown>[]; sink: Writable } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, sink };
}

/** pino writes asynchronously: what was logged before this is in `lines` after it. */
export const flushLogs = () => new Promise((resolve) => setImmediate(resolve));
