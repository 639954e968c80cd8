/**
 * What a route mapping produces for a journey trigger: the body of seed
 * document 000 ("Step 2: Payload Construction and Schema Validation"), and the
 * exact string that is sent, size-checked and hashed for the audit record.
 */
export interface JourneyTriggerBody {
  contactId: string;
  attributes: Record<string, unknown>;
  event: string;
  deduplicationId: string;
  timestamp: string;
}

export interface JourneyTriggerRequest {
  kind: 'journey-trigger';
  route: string;
  journeyId: string;
  contactId: string;
  eventId: string;
  idempotencyKey: string;
  body: JourneyTriggerBody;
  /** The exact bytes sent to CXone. */
  serializedBody: string;
}
