/**
 * Turns a finished data action invocation into a CallOutcome, seed document
 * 002 "Step 4: Process Results & Error Mapping": `errors[]` (422 validation,
 * 500 execution, 504 timeout) become typed errors, and `outputs` are coerced
 * to the types the definition declares.
 */
import { CxoneError, type CxoneErrorCode } from '../errors.ts';
import type { CallOutcome } from './call-outcome.ts';
import { errorDetail } from './error-detail.ts';
import { coerceValue } from './data-action-inputs.ts';

export interface FinishedInvocation {
  actionId: string;
  invokeId: string | undefined;
  status: string;
  body: Record<string, unknown>;
  outputTypes: ReadonlyMap<string, string>;
}

type Base = Pick<CallOutcome, 'attempts' | 'latencyMs' | 'httpStatus' | 'sentBody' | 'replayed'>;

function resultErrors(body: Record<string, unknown>): { code: unknown }[] {
  const errors = body.errors;
  if (!Array.isArray(errors)) return [];
  return errors.map((entry: unknown) => ({ code: ((entry ?? {}) as Record<string, unknown>).code }));
}

function typedOutputs(outputs: unknown, outputTypes: ReadonlyMap<string, string>): Record<string, unknown> {
  if (outputs === null || typeof outputs !== 'object' || Array.isArray(outputs)) return {};
  const typed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(outputs as Record<string, unknown>)) {
    const type = outputTypes.get(name);
    const result = type === undefined || value === null ? undefined : coerceValue(value, type);
    // An output CXone typed differently from its definition is kept as sent, not dropped.
    typed[name] = result?.ok ? result.value : value;
  }
  return typed;
}

export function finishInvocation(done: FinishedInvocation, base: Base): CallOutcome {
  const reference = done.invokeId === undefined ? {} : { reference: done.invokeId };
  const errors = resultErrors(done.body);
  if (done.status === 'completed' && errors.length === 0) {
    return {
      ...base,
      ...reference,
      outcome: 'ACCEPTED',
      outputs: typedOutputs(done.body.outputs, done.outputTypes),
    };
  }
  // Codes and field names only: an error's free text can echo the inputs, which are a person's data.
  const { codes, fields } = errorDetail(done.body);
  const listed = [
    ...(codes.length > 0 ? [`codes ${codes.join(', ')}`] : []),
    ...(fields.length > 0 ? [`fields ${fields.join(', ')}`] : []),
  ].join('; ');
  const where = `data action ${done.actionId}${done.invokeId ? ` (invokeId ${done.invokeId})` : ''}`;
  const code = Number(errors[0]?.code);
  let errorCode: CxoneErrorCode = 'CXONE_ACTION_FAILED';
  let message = `${where} failed in CXone: ${listed || 'no error detail'}; check the action's configuration and the system it calls`;
  if (done.status === 'cancelled') {
    errorCode = 'CXONE_ACTION_CANCELLED';
    message = `${where} was cancelled in CXone (${listed || 'no reason given'}); re-run it from the DLQ once whoever cancelled it agrees`;
  } else if (code === 422) {
    errorCode = 'CXONE_UNPROCESSABLE';
    message = `${where} refused its inputs: ${listed}; fix the route's input mapping`;
  } else if (code === 504) {
    errorCode = 'CXONE_GATEWAY_TIMEOUT';
    message = `${where} exceeded the CXone execution timeout: ${listed}; switch the action to asynchronous execution in the CXone admin console`;
  }
  const error = new CxoneError(errorCode, message, {
    retryable: false,
    ...(codes.length > 0 ? { cxoneCodes: codes } : {}),
  });
  return { ...base, ...reference, outcome: code === 422 ? 'REJECTED' : 'FAILED', error };
}
