// Journey orchestration endpoints, seed 000:
// "Step 3: Contact Eligibility and Journey State Verification" (GET contacts, GET journeys) and
// "Step 4: Atomic Trigger Submission with Deduplication" (POST trigger, Idempotency-Key), with the
// payload rules of "Step 2" and the error table of "Common Errors & Debugging".
// Where the seed is silent: a journey that is not ACTIVE and a contact that is UNSUBSCRIBED or
// SUPPRESSED give 422 (well-formed, cannot be processed; permanent), leaving 409 to mean only
// "same Idempotency-Key still in flight" (retryable). GET journeys needs journeys:trigger.
import { authorize } from './auth.ts';
import { effectRequest, idempotencyKeyHeader, jsonObjectBody, runEffect } from './effect-runner.ts';
import type { ErrorReply } from './effect-runner.ts';
import type { Reply } from './http-io.ts';
import { isPlainObject } from './http-io.ts';
import { lookupRoute } from './lookup-route.ts';
import type { Route, RouteContext, SimWorld } from './world.ts';

const errorReply: ErrorReply = (status, error, message, field) => ({
  status,
  body: { error, message, field },
});

function missing(field: string): Reply {
  return errorReply(400, 'validation_error', `${field} is required`, field);
}

const nonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

function validateTrigger(body: Record<string, unknown>): Reply | undefined {
  if (!nonEmptyString(body.contactId)) return missing('contactId');
  if (!nonEmptyString(body.event)) return missing('event');
  if (!nonEmptyString(body.deduplicationId)) return missing('deduplicationId');
  const attributes = body.attributes;
  if (!isPlainObject(attributes)) return missing('attributes');
  if (!nonEmptyString(attributes.email)) return missing('attributes.email');
  if (!nonEmptyString(attributes.external_id)) return missing('attributes.external_id');
  if (
    body.timestamp !== undefined &&
    (typeof body.timestamp !== 'string' || Number.isNaN(Date.parse(body.timestamp)))
  ) {
    return errorReply(400, 'validation_error', 'timestamp must be an ISO 8601 date-time string', 'timestamp');
  }
  return undefined;
}

async function trigger(world: SimWorld, ctx: RouteContext): Promise<Reply> {
  const denied = authorize(world, ctx.req, 'journeys:trigger');
  if (denied) return denied;
  const journeyId = ctx.params[0] ?? '';
  const parsed = jsonObjectBody(world, ctx, errorReply, 400);
  if ('reply' in parsed) return parsed.reply;
  const { body } = parsed;
  const invalid = validateTrigger(body);
  if (invalid) return invalid;
  const contactId = body.contactId as string;
  const deduplicationId = body.deduplicationId as string;
  const key = idempotencyKeyHeader(ctx) ?? deduplicationId;
  if (key === '')
    return errorReply(400, 'validation_error', 'Idempotency-Key must not be empty', 'Idempotency-Key');

  const journey = world.fixtures.journey(journeyId);
  if (!journey) return errorReply(404, 'not_found', `Journey ${journeyId} not found`, 'journeyId');
  const contact = world.fixtures.contact(contactId);
  if (!contact) return errorReply(404, 'not_found', `Contact ${contactId} not found`, 'contactId');
  if (journey.state !== 'ACTIVE') {
    return errorReply(
      422,
      'journey_not_active',
      `Journey ${journeyId} is ${journey.state}, expected ACTIVE`,
      'journeyId',
    );
  }
  if (contact.suppressionStatus !== 'SUBSCRIBED') {
    const why = `Contact ${contactId} is ${contact.suppressionStatus} and not eligible for orchestration`;
    return errorReply(422, 'contact_not_eligible', why, 'contactId');
  }
  const at = world.now();
  return runEffect(world, ctx, key, errorReply, () => {
    world.effects.record(key, effectRequest(ctx, body, at));
    world.stats.scalars.triggersAccepted++;
    return {
      status: 202,
      body: { triggerId: world.nextId('trg'), journeyId, contactId, deduplicationId, status: 'ACCEPTED' },
    };
  });
}

export function createJourneyRoutes(world: SimWorld): Route[] {
  return [
    lookupRoute(world, {
      template: '/api/v1/contacts/{id}',
      scope: 'contacts:read',
      find: ([id = '']) => world.fixtures.contact(id),
      found: (contact) => ({ status: 200, body: contact }),
      notFound: ([id]) => errorReply(404, 'not_found', `Contact ${id} not found`, 'contactId'),
    }),
    lookupRoute(world, {
      template: '/api/v1/journeys/{id}',
      scope: 'journeys:trigger',
      find: ([id = '']) => world.fixtures.journey(id),
      found: (journey) => ({
        status: 200,
        body: { id: journey.id, name: journey.name ?? journey.id, state: journey.state },
      }),
      notFound: ([id]) => errorReply(404, 'not_found', `Journey ${id} not found`, 'journeyId'),
    }),
    {
      method: 'POST',
      template: '/api/v1/journeys/{id}/trigger',
      effectful: true,
      handle: (ctx) => trigger(world, ctx),
    },
  ];
}
