// Data action endpoints, seed 002:
// "Step 1: Fetch Action Schema" (GET /api/v2/data-actions/{id}, scope data-actions:read),
// "Step 2: Validate Inputs" (422 with errors[]), "Step 3: Invoke Action (Sync/Async Handling &
// Polling)" (POST .../invoke: 200 sync, 202 async; GET .../invoke/{invokeId} to poll), and the
// error structure `{ errors: [{ code, message }] }` of "Step 4".
// Where the seed is silent: polling needs data-actions:execute (only an invoker knows invokeIds,
// and results may hold customer data); a body over the size limit is 413; invalid JSON is 400.
// The Idempotency-Key header is optional here (the seed sends none); without it every invoke is
// a new effect, counted under `no-key:<invokeId>`.
import { computeOutputs, validateInputs } from './action-io.ts';
import { authorize } from './auth.ts';
import { effectRequest, idempotencyKeyHeader, jsonObjectBody, runEffect } from './effect-runner.ts';
import type { ErrorReply } from './effect-runner.ts';
import type { DataAction } from './fixtures-schema.ts';
import type { Reply } from './http-io.ts';
import { isPlainObject } from './http-io.ts';
import { drawOutcome } from './invocations.ts';
import { lookupRoute } from './lookup-route.ts';
import type { Route, RouteContext, SimWorld } from './world.ts';

const errorReply: ErrorReply = (status, _code, message, field) => ({
  status,
  body: { errors: [{ code: status, message, field }] },
});

function notFound(id: string): Reply {
  return errorReply(404, 'not_found', `Data action ${id} not found`, 'dataActionId');
}

function definition(action: DataAction): Reply {
  const { id, name, mode, inputs, outputs } = action;
  return { status: 200, body: { id, name: name ?? id, mode, inputs, outputs } };
}

function validateEnvelope(body: Record<string, unknown>): Reply | undefined {
  if (!isPlainObject(body.inputs))
    return errorReply(422, 'validation_error', 'inputs must be an object', 'inputs');
  if (body.context !== undefined && body.context !== null && !isPlainObject(body.context)) {
    return errorReply(422, 'validation_error', 'context must be an object', 'context');
  }
  if (body.callbackUrl !== undefined && body.callbackUrl !== null && typeof body.callbackUrl !== 'string') {
    return errorReply(422, 'validation_error', 'callbackUrl must be a string', 'callbackUrl');
  }
  return undefined;
}

async function invoke(world: SimWorld, ctx: RouteContext): Promise<Reply> {
  const denied = authorize(world, ctx.req, 'data-actions:execute');
  if (denied) return denied;
  const actionId = ctx.params[0] ?? '';
  const action = world.fixtures.dataAction(actionId);
  if (!action) return notFound(actionId);
  const parsed = jsonObjectBody(world, ctx, errorReply, 413);
  if ('reply' in parsed) return parsed.reply;
  const { body } = parsed;
  const invalid = validateEnvelope(body);
  if (invalid) return invalid;
  const inputs = body.inputs as Record<string, unknown>;
  const errors = validateInputs(action, inputs);
  if (errors.length > 0) return { status: 422, body: { errors } };

  const key = idempotencyKeyHeader(ctx);
  const at = world.now();
  return runEffect(world, ctx, key === '' ? undefined : key, errorReply, () => {
    const invokeId = world.nextId('inv');
    world.effects.record(key || `no-key:${invokeId}`, effectRequest(ctx, body, at));
    const outputs = computeOutputs(action, inputs);
    if (action.mode === 'sync') {
      world.invocations.countSync();
      return { status: 200, body: { invokeId, status: 'completed', outputs } };
    }
    const r = world.runtime;
    const outcome = drawOutcome(world.asyncRandom(), r.asyncFailRate, r.asyncCancelRate);
    world.invocations.create({ invokeId, actionId, outputs, delayMs: r.asyncDelayMs, outcome });
    return {
      status: 202,
      headers: { location: `/api/v2/data-actions/${encodeURIComponent(actionId)}/invoke/${invokeId}` },
      body: { invokeId, status: 'queued' },
    };
  });
}

export function createDataActionRoutes(world: SimWorld): Route[] {
  return [
    lookupRoute(world, {
      template: '/api/v2/data-actions/{id}',
      scope: 'data-actions:read',
      find: ([id = '']) => world.fixtures.dataAction(id),
      found: definition,
      notFound: ([id = '']) => notFound(id),
    }),
    {
      method: 'POST',
      template: '/api/v2/data-actions/{id}/invoke',
      effectful: true,
      handle: (ctx) => invoke(world, ctx),
    },
    lookupRoute(world, {
      template: '/api/v2/data-actions/{id}/invoke/{invokeId}',
      scope: 'data-actions:execute',
      find: ([actionId = '', invokeId = '']) => world.invocations.view(actionId, invokeId),
      found: (view) => ({ status: 200, body: view }),
      notFound: ([actionId, invokeId]) =>
        errorReply(404, 'not_found', `Invocation ${invokeId} of ${actionId} not found`, 'invokeId'),
    }),
  ];
}
