// Shape of a fixtures file (YAML or JSON): contacts, journeys, dataActions, clients.
// Field names follow the seed documents: contacts and journeys (seed 000 "Step 3"),
// data action definitions (seed 002 "Step 1" and "Step 2").
import { z } from 'zod';

export const ALL_SCOPES = [
  'journeys:trigger',
  'contacts:read',
  'data-actions:read',
  'data-actions:execute',
] as const;
export type Scope = (typeof ALL_SCOPES)[number];

const SUPPRESSION_STATUSES = ['SUBSCRIBED', 'UNSUBSCRIBED', 'SUPPRESSED'] as const;
const JOURNEY_STATES = ['ACTIVE', 'PAUSED', 'DRAFT'] as const;
export const PARAM_TYPES = ['string', 'number', 'integer', 'boolean', 'array', 'object'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

// Loose: any extra contact fields in a file are returned as they are by GET /api/v1/contacts/{id}.
export const contactSchema = z.looseObject({
  id: z.string().min(1),
  suppressionStatus: z.enum(SUPPRESSION_STATUSES).default('SUBSCRIBED'),
  email: z.string().optional(),
  externalId: z.string().optional(),
});

export const journeySchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().optional(),
  state: z.enum(JOURNEY_STATES).default('ACTIVE'),
});

export const dataActionSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().optional(),
  mode: z.enum(['sync', 'async']),
  inputs: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        type: z.enum(PARAM_TYPES),
        required: z.boolean().default(false),
      }),
    )
    .default([]),
  outputs: z.array(z.strictObject({ name: z.string().min(1), type: z.enum(PARAM_TYPES) })).default([]),
});

export const clientSchema = z.strictObject({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  scopes: z.array(z.enum(ALL_SCOPES)).default([...ALL_SCOPES]),
});

/** A CXone access key (a user's), for the access-key and password token flows. */
export const accessKeySchema = z.strictObject({
  accessKeyId: z.string().min(1),
  accessKeySecret: z.string().min(1),
  scopes: z.array(z.enum(ALL_SCOPES)).default([...ALL_SCOPES]),
});
export type AccessKey = z.infer<typeof accessKeySchema>;

/** A change to a client at run time (`POST /_sim/clients/{clientId}`): a rotated secret, scopes granted or taken. */
export const clientPatchSchema = z.strictObject({
  clientSecret: z.string().min(1).optional(),
  scopes: z.array(z.enum(ALL_SCOPES)).optional(),
});
export type ClientPatch = z.infer<typeof clientPatchSchema>;

export const fixturesSchema = z.strictObject({
  contacts: z.array(contactSchema).default([]),
  journeys: z.array(journeySchema).default([]),
  dataActions: z.array(dataActionSchema).default([]),
  clients: z.array(clientSchema).default([]),
  accessKeys: z.array(accessKeySchema).default([]),
});

export type Contact = z.infer<typeof contactSchema>;
export type Journey = z.infer<typeof journeySchema>;
export type DataAction = z.infer<typeof dataActionSchema>;
export type Client = z.infer<typeof clientSchema>;
export type Fixtures = z.infer<typeof fixturesSchema>;
export type FixturesInput = z.input<typeof fixturesSchema>;
