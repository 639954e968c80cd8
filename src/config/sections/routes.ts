/** `routes`: one per CXone action an event can map onto, with JSONata mappings. */
import { z } from 'zod';
import { ROUTE_ACTIONS } from '../../mapping/route-definition.ts';

/**
 * A field mapping: a JSONata expression over the decoded event. A plain dot path like
 * `identifiers.email` is valid JSONata too. Compiled beside the schema (config/resource-checks.ts),
 * so a typo fails the start with its path and the JSONata error position.
 */
const expression = z.string().min(1);

/** One route of either action; compile-config.ts turns it into the mapping stage's RouteDefinition. */
export const routeSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/, 'a route name uses lowercase letters, digits, "-" and "_"'),
    /** What the route does with a matching event: trigger a journey or invoke a data action. */
    action: z.enum(ROUTE_ACTIONS).default('journey-trigger'),
    /** Only events whose `fields.eventType` equals one of these take this route; empty matches all. */
    eventTypes: z.array(z.string().min(1)).default([]),
    /** A field predicate: the route is taken only where this JSONata expression is true. */
    when: expression.optional(),
    /** Required for `action: journey-trigger`. */
    journeyId: z.string().min(1).optional(),
    /** Required for `action: data-action`. */
    actionId: z.string().min(1).optional(),
    fields: z
      .object({
        eventId: expression.default('eventId'),
        eventType: expression.default('eventType'),
        contactId: expression.default('contactId'),
        timestamp: expression.default('occurredAt'),
        identifiers: expression.default('identifiers'),
        /** Journey attributes (action directives) besides the identifiers; a record. */
        directives: expression.optional(),
      })
      .strict()
      .prefault({}),
    requiredIdentifiers: z.array(z.string().min(1)).default(['email', 'external_id']),
    /** Replaces the event id in the idempotency key `<route>:<value>`; must give a non-empty string. */
    idempotencyKey: expression.optional(),
    /** Data action inputs: an expression giving a record. */
    inputs: expression.optional(),
    /** Data action context: an expression giving a record; `{}` when absent. */
    context: expression.optional(),
    /** Data action callback URL for asynchronous (202) invocations. */
    callbackUrl: z.url().optional(),
  })
  .strict()
  .superRefine((route, ctx) => {
    const need = (key: 'journeyId' | 'actionId' | 'inputs', why: string): void => {
      if (route[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: why });
    };
    if (route.action === 'journey-trigger') need('journeyId', 'a journey-trigger route needs a journeyId');
    if (route.action === 'data-action') {
      need('actionId', 'a data-action route needs an actionId');
      need(
        'inputs',
        'a data-action route needs an inputs expression, e.g. "{ \'email\': identifiers.email }"',
      );
    }
  });
