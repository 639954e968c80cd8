// Runs an effectful request (journey trigger, data action invoke) under its idempotency key:
// admit the key, wait the injected latency while holding it (so a concurrent duplicate sees 409),
// apply the effect, store the reply. See idempotency.ts for the rules.
import { redactHeaders } from './effects.ts';
import type { EffectRequest } from './effects.ts';
import type { Reply } from './http-io.ts';
import { isPlainObject, parseJson } from './http-io.ts';
import { fingerprint } from './idempotency.ts';
import type { RouteContext, SimWorld } from './world.ts';

export type ErrorReply = (status: number, code: string, message: string, field: string) => Reply;

/**
 * The JSON object body of an effectful POST, or the error reply for it. The two
 * documents answer an oversized body differently: the journey API says 400, a
 * generic gateway 413, so the caller names the status.
 */
export function jsonObjectBody(
  world: SimWorld,
  ctx: RouteContext,
  errorReply: ErrorReply,
  tooLargeStatus: number,
): { body: Record<string, unknown> } | { reply: Reply } {
  if (ctx.bodyTooLarge) {
    const limit = world.options.maxBodyBytes;
    return {
      reply: errorReply(
        tooLargeStatus,
        'payload_too_large',
        `Payload exceeds maximum size limit of ${limit} bytes`,
        'body',
      ),
    };
  }
  const parsed = parseJson(ctx.body);
  if (!parsed.ok)
    return { reply: errorReply(400, 'invalid_json', `Body is not valid JSON: ${parsed.message}`, 'body') };
  if (!isPlainObject(parsed.value)) {
    return { reply: errorReply(400, 'validation_error', 'Body must be a JSON object', 'body') };
  }
  return { body: parsed.value };
}

// The draft sends the key as a structured-field string ("..."); plain tokens are accepted too.
export function idempotencyKeyHeader(ctx: RouteContext): string | undefined {
  const raw = ctx.req.headers['idempotency-key'];
  if (typeof raw !== 'string') return undefined;
  const trimmed = raw.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')
    ? trimmed.slice(1, -1)
    : trimmed;
}

export function effectRequest(ctx: RouteContext, body: unknown, at: number): () => EffectRequest {
  return () => ({
    method: ctx.method,
    path: ctx.path,
    headers: redactHeaders(ctx.req.headers),
    body,
    receivedAt: new Date(at).toISOString(),
  });
}

export async function runEffect(
  world: SimWorld,
  ctx: RouteContext,
  key: string | undefined,
  errorReply: ErrorReply,
  effect: () => Reply,
): Promise<Reply> {
  if (key === undefined) {
    await ctx.delay();
    return effect();
  }
  const admission = world.idempotency.admit(key, fingerprint(ctx.method, ctx.path, ctx.body));
  if (admission.kind !== 'new') {
    await ctx.delay();
    switch (admission.kind) {
      case 'replay':
        world.stats.idempotency.replays++;
        return { ...admission.reply, headers: { ...admission.reply.headers, 'idempotent-replayed': 'true' } };
      case 'mismatch':
        world.stats.idempotency.mismatches++;
        return errorReply(
          422,
          'idempotency_key_reused',
          `Idempotency-Key '${key}' was already used for a different request (method, path or body differ)`,
          'Idempotency-Key',
        );
      case 'in-flight':
        world.stats.idempotency.inFlightConflicts++;
        return errorReply(
          409,
          'idempotency_request_in_flight',
          `A request with Idempotency-Key '${key}' is still being processed; retry later`,
          'Idempotency-Key',
        );
    }
  }
  try {
    await ctx.delay();
  } catch (cause) {
    world.idempotency.abandon(key);
    throw cause;
  }
  const reply = effect();
  if (reply.status >= 200 && reply.status < 300) {
    world.idempotency.complete(key, reply, world.runtime.idempotencyTtlS * 1000);
  } else {
    world.idempotency.abandon(key);
  }
  return reply;
}
