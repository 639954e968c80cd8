/**
 * What a route mapping produces for a data action invocation (seed document
 * 002, "Step 2: Construct Invocation Payload & Validate Inputs"). Inputs are
 * validated and coerced against the action's definition by the CXone client,
 * which needs I/O to fetch it; the mapper stays pure.
 */
export interface DataActionRequest {
  kind: 'data-action';
  route: string;
  actionId: string;
  contactId: string | null;
  eventId: string;
  idempotencyKey: string;
  inputs: Record<string, unknown>;
  context: Record<string, unknown>;
  callbackUrl?: string;
}
