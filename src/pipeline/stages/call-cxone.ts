/**
 * The call stage: one request to CXone through its route's block. A configuration fault (a 401, a
 * missing journey) blocks the route and is thrown, so nothing of it is dead-lettered; a transient one
 * is thrown for the worker to retry; CXone's own refusal comes back as an outcome.
 */
import type { CallOutcome } from '../../cxone/call-outcome.ts';
import type { DataActionClient } from '../../cxone/data-action-client.ts';
import type { JourneyTriggerClient } from '../../cxone/journey-trigger-client.ts';
import { ConnectorError, failureClass } from '../../errors.ts';
import type { RouteRequest } from '../../mapping/map-route.ts';
import type { RouteBlocks } from '../route-blocks.ts';

export interface CallDeps {
  journeys: Pick<JourneyTriggerClient, 'trigger'>;
  dataActions: Pick<DataActionClient, 'invoke'>;
  routeBlocks: RouteBlocks;
  /** Test-only crash points (the chaos run); absent in production. */
  faultPoint?: ((name: string) => void) | undefined;
}

export async function callCxone(
  deps: CallDeps,
  route: string,
  sent: RouteRequest,
  signal: AbortSignal | undefined,
): Promise<CallOutcome> {
  deps.routeBlocks.admit(route);
  let outcome: CallOutcome;
  try {
    outcome =
      sent.kind === 'journey-trigger'
        ? await deps.journeys.trigger(sent, signal)
        : await deps.dataActions.invoke(sent, signal);
  } catch (error) {
    if (error instanceof ConnectorError && failureClass(error) === 'config') {
      throw deps.routeBlocks.fail(route, error);
    }
    throw error;
  }
  deps.routeBlocks.succeed(route);
  if (outcome.outcome === 'ACCEPTED') deps.faultPoint?.('after-call');
  return outcome;
}
