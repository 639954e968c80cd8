/**
 * Data action invocation, seed document 002: "Step 1: Fetch Action Schema"
 * (GET /api/v2/data-actions/{id}, cached for definitionCacheTtlMs), "Step 2:
 * Validate Inputs" (data-action-inputs.ts), "Step 3: Invoke Action (Sync/Async
 * Handling & Polling)" (POST …/invoke with Idempotency-Key: 200 → result,
 * 202 → poll …/invoke/{invokeId} with doubling waits until a terminal status
 * or maxPollTimeMs) and "Step 4: Process Results & Error Mapping"
 * (data-action-result.ts). Every path is configuration; the seed's are defaults.
 */
import { CxoneError, failureClass } from '../errors.ts';
import type { DataActionRequest } from '../mapping/data-action-request.ts';
import type { AuthorizedSend } from './authorized-http.ts';
import type { CallOutcome } from './call-outcome.ts';
import { parseInputDefinitions, validateInputs, type InputDefinition } from './data-action-inputs.ts';
import { finishInvocation } from './data-action-result.ts';
import type { CxoneRequest } from './http-client.ts';
import { pathTemplate } from './path-template.ts';
import { isReplayed, parseJsonObject } from './response-json.ts';
import { defaultRetryDeps, withRetry, type RetryDeps, type RetryPolicy } from './retry.ts';

export interface DataActionPaths {
  dataAction: string;
  invoke: string;
  invokeStatus: string;
}

/** How data actions are fetched and polled; the `cxone.dataActions` settings. */
export interface DataActionTimings {
  /** Action definitions change rarely; refetching per call would double the request count. */
  definitionCacheTtlMs: number;
  /** Async polling: first wait, then doubling up to pollMaxMs. */
  pollInitialMs: number;
  pollMaxMs: number;
  /** Give up polling after this long: FAILED with CXONE_POLL_TIMEOUT. */
  maxPollTimeMs: number;
}

export interface DataActionClientOptions extends DataActionTimings {
  paths: DataActionPaths;
  retry: RetryPolicy;
  now?: () => number;
  /** Clock, jitter and sleep for retries and poll waits; injected by tests. */
  retryDeps?: RetryDeps;
}

export interface DataActionClient {
  invoke(request: DataActionRequest, signal?: AbortSignal): Promise<CallOutcome>;
  /** The names of the action's declared inputs, from its definition: for the preflight. */
  inputNames(actionId: string, signal?: AbortSignal): Promise<string[]>;
}

interface Definition {
  inputs: InputDefinition[];
  outputTypes: Map<string, string>;
  expiresAtMs: number;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export function createDataActionClient(
  send: AuthorizedSend,
  options: DataActionClientOptions,
): DataActionClient {
  const now = options.now ?? Date.now;
  const paths = {
    dataAction: pathTemplate(options.paths.dataAction),
    invokeStatus: pathTemplate(options.paths.invokeStatus),
    invoke: pathTemplate(options.paths.invoke),
  };
  const deps = options.retryDeps ?? defaultRetryDeps;
  const definitions = new Map<string, Definition>();

  const call = async (request: CxoneRequest, signal: AbortSignal | undefined, onAttempt?: () => void) =>
    withRetry(
      options.retry,
      async () => {
        onAttempt?.();
        return send({ ...request, ...(signal ? { signal } : {}) });
      },
      { ...(signal ? { signal } : {}), deps },
    );

  async function definition(actionId: string, signal?: AbortSignal): Promise<Definition> {
    const cached = definitions.get(actionId);
    if (cached && cached.expiresAtMs > now()) return cached;
    const path = paths.dataAction({ actionId });
    const { value } = await call(
      { endpoint: 'data-action', method: 'GET', path, template: paths.dataAction.template },
      signal,
    );
    const body = parseJsonObject(value, 'data action definition');
    const inputs = parseInputDefinitions(body);
    if (!inputs) {
      throw new CxoneError(
        'CXONE_BAD_RESPONSE',
        `the definition of data action ${actionId} has no readable inputs list: check cxone.paths.dataAction`,
        { retryable: false, status: value.status },
      );
    }
    const outputs = parseInputDefinitions({ inputs: body.outputs }) ?? [];
    const entry = {
      inputs,
      outputTypes: new Map(outputs.map((o) => [o.name, o.type])),
      expiresAtMs: now() + options.definitionCacheTtlMs,
    };
    definitions.set(actionId, entry);
    return entry;
  }

  async function poll(
    actionId: string,
    invokeId: string,
    signal: AbortSignal | undefined,
  ): Promise<{ status: string; body: Record<string, unknown> }> {
    const deadline = now() + options.maxPollTimeMs;
    const path = paths.invokeStatus({ actionId, invokeId });
    let waitMs = options.pollInitialMs;
    let status = 'queued';
    while (now() < deadline) {
      await deps.sleep(Math.min(waitMs, Math.max(0, deadline - now())), signal);
      const { value } = await call(
        { endpoint: 'invoke-status', method: 'GET', path, template: paths.invokeStatus.template },
        signal,
      );
      const body = parseJsonObject(value, 'invocation status');
      status = typeof body.status === 'string' ? body.status : 'unknown';
      if (TERMINAL.has(status)) return { status, body };
      waitMs = Math.min(waitMs * 2, options.pollMaxMs);
    }
    throw new CxoneError(
      'CXONE_POLL_TIMEOUT',
      `data action ${actionId} (invokeId ${invokeId}) was still ${status} after ${options.maxPollTimeMs} ms: it may yet complete in CXone; raise cxone.dataActions.maxPollTimeMs or check the action`,
      { retryable: false },
    );
  }

  return {
    inputNames: async (actionId, signal) => (await definition(actionId, signal)).inputs.map((i) => i.name),
    async invoke(request, signal) {
      const started = now();
      const { actionId } = request;
      const elapsed = () => now() - started;
      const rejected = (error: CxoneError, attempts: number, sentBody?: string): CallOutcome => ({
        outcome: 'REJECTED',
        attempts,
        latencyMs: elapsed(),
        ...(error.status === undefined ? {} : { httpStatus: error.status }),
        ...(sentBody === undefined ? {} : { sentBody }),
        error,
      });

      let def: Definition;
      try {
        def = await definition(actionId, signal);
      } catch (error) {
        if (error instanceof CxoneError && failureClass(error) === 'record') return rejected(error, 0);
        throw error;
      }
      const checked = validateInputs(request.inputs, def.inputs);
      if (checked.problems.length > 0) {
        const error = new CxoneError(
          'CXONE_INPUT_INVALID',
          `inputs do not match the definition of data action ${actionId} (not sent): ${checked.problems.join('; ')}; fix the route's input mapping`,
          { retryable: false },
        );
        return rejected(error, 0);
      }
      const sentBody = JSON.stringify({
        inputs: checked.inputs,
        context: request.context,
        ...(request.callbackUrl === undefined ? {} : { callbackUrl: request.callbackUrl }),
      });

      let attempts = 0;
      let invoked;
      try {
        invoked = await call(
          {
            endpoint: 'invoke',
            method: 'POST',
            path: paths.invoke({ actionId }),
            template: paths.invoke.template,
            headers: { 'content-type': 'application/json', 'idempotency-key': request.idempotencyKey },
            body: sentBody,
          },
          signal,
          () => attempts++,
        );
      } catch (error) {
        if (error instanceof CxoneError && failureClass(error) === 'record')
          return rejected(error, attempts, sentBody);
        throw error;
      }
      const response = invoked.value;
      const reply = parseJsonObject(response, 'invoke');
      const invokeId = typeof reply.invokeId === 'string' ? reply.invokeId : undefined;
      const base = {
        attempts,
        httpStatus: response.status,
        sentBody,
        ...(isReplayed(response) ? { replayed: true } : {}),
      };
      let finished = { status: typeof reply.status === 'string' ? reply.status : 'completed', body: reply };
      if (response.status === 202) {
        if (invokeId === undefined) {
          throw new CxoneError(
            'CXONE_BAD_RESPONSE',
            `CXone accepted data action ${actionId} without an invokeId`,
            {
              retryable: true,
            },
          );
        }
        try {
          finished = await poll(actionId, invokeId, signal);
        } catch (error) {
          if (!(error instanceof CxoneError) || failureClass(error) !== 'record') throw error;
          const outcome = error.code === 'CXONE_POLL_TIMEOUT' ? 'FAILED' : 'REJECTED';
          return { ...base, outcome, reference: invokeId, latencyMs: elapsed(), error };
        }
      }
      return finishInvocation(
        { actionId, invokeId, status: finished.status, body: finished.body, outputTypes: def.outputTypes },
        { ...base, latencyMs: elapsed() },
      );
    },
  };
}
