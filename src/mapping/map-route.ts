/**
 * One event on one compiled route → the CXone request it asks for. Evaluates
 * the route's expressions (async in JSONata 2) and hands the values to the pure
 * builders. Every failure is a MappingError with a stable code and
 * retryable=false: a bad event never becomes anything the pipeline retries.
 */
import { MappingError, isConnectorError } from '../errors.ts';
import type { CompiledRoute } from './compile-routes.ts';
import { buildDataAction } from './data-action-mapper.ts';
import type { DataActionRequest } from './data-action-request.ts';
import { buildJourneyTrigger } from './journey-trigger-mapper.ts';
import type { JourneyTriggerRequest } from './journey-trigger-request.ts';
import type { MapOptions } from './route-definition.ts';
import { NEEDS_EVALUATE, type RouteExpression } from './route-expression.ts';

export type RouteRequest = JourneyTriggerRequest | DataActionRequest;

export async function mapRoute(
  event: unknown,
  route: CompiledRoute,
  options: MapOptions,
): Promise<RouteRequest> {
  try {
    return await mapUnchecked(event, route, options);
  } catch (error) {
    if (isConnectorError(error)) throw error;
    // A builder bug or an exotic value must still not escape as a crash.
    throw new MappingError('MAPPING_FAILED', `route "${route.name}": ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function mapUnchecked(
  event: unknown,
  route: CompiledRoute,
  options: MapOptions,
): Promise<RouteRequest> {
  const { fields, definition } = route;
  if (definition.action === 'data-action') {
    const [eventId, contactId, inputs, context, keySource] = await readAll(event, [
      fields.eventId,
      fields.contactId,
      route.inputs,
      route.context,
      route.idempotencyKey,
    ]);
    return buildDataAction(
      { eventId, contactId, inputs, context, ...(route.idempotencyKey ? { keySource } : {}) },
      definition,
      options,
    );
  }
  const [eventId, eventType, contactId, timestamp, identifiers, directives, keySource] = await readAll(
    event,
    [
      fields.eventId,
      fields.eventType,
      fields.contactId,
      fields.timestamp,
      fields.identifiers,
      fields.directives,
      route.idempotencyKey,
    ],
  );
  return buildJourneyTrigger(
    {
      eventId,
      eventType,
      contactId,
      timestamp,
      identifiers,
      directives,
      ...(route.idempotencyKey ? { keySource } : {}),
    },
    definition,
    options,
  );
}

/** Every expression's value: read directly where it is a plain path, evaluated (JSONata) where not. */
function readAll(
  event: unknown,
  expressions: readonly (RouteExpression | undefined)[],
): unknown[] | Promise<unknown[]> {
  const values = expressions.map((expression) => expression?.evaluateNow(event));
  if (!values.includes(NEEDS_EVALUATE)) return values;
  return Promise.all(
    values.map((value, i) =>
      value === NEEDS_EVALUATE ? (expressions[i] as RouteExpression).evaluate(event) : Promise.resolve(value),
    ),
  );
}
