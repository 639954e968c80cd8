// Request body reading and JSON replies on plain node:http, kept allocation-light because the
// simulator must serve thousands of requests per second on one core.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Readonly<Record<string, string>>;
}

export interface RequestBody {
  bytes: Buffer;
  // True when the body exceeded the limit; the rest was drained (not kept) so a reply can still be sent.
  tooLarge: boolean;
}

const EMPTY = Buffer.alloc(0);

export function readBody(req: IncomingMessage, maxBytes: number): Promise<RequestBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    let ended = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        tooLarge = true;
        chunks.length = 0;
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => {
      ended = true;
      const bytes = chunks.length === 0 ? EMPTY : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      resolve({ bytes, tooLarge });
    });
    req.on('error', reject);
    req.on('close', () => {
      if (!ended) reject(new Error('request closed before its body was read'));
    });
  });
}

export function sendReply(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.writableEnded) return;
  const payload = reply.body === undefined ? '' : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    ...reply.headers,
  });
  res.end(payload);
}

export type JsonParse = { ok: true; value: unknown } | { ok: false; message: string };

export function parseJson(bytes: Buffer): JsonParse {
  try {
    return { ok: true, value: JSON.parse(bytes.toString('utf8')) };
  } catch (cause) {
    return { ok: false, message: (cause as Error).message };
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
