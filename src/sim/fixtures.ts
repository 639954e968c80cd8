/**
 * Simulator fixtures: what exists in the simulated tenant.
 *
 * Defaults (always present; entries of a fixtures file with the same id replace them):
 *
 * Contacts (generated, computed on lookup, never materialised; `--contacts N`, default 1000):
 *   - `c-000001` ... `c-<N>` exist (number zero-padded to 6 digits; larger numbers just have more).
 *   - suppressionStatus: every 40th contact from c-000020 (n % 40 == 20) is UNSUBSCRIBED,
 *     every 40th from c-000040 (n % 40 == 0) is SUPPRESSED, all others SUBSCRIBED (5% not eligible).
 *   - email `c-000001@example.test`, externalId `ext-000001`, firstName `Contact`, lastName `000001`.
 *   - Contacts that do not exist: any id with the prefix `missing-`, `c-000000`, numbers above N,
 *     non-canonical forms such as `c-1`, and anything else not in a fixtures file.
 * Journeys: `j-welcome` ACTIVE, `j-winback` ACTIVE, `j-paused` PAUSED, `j-draft` DRAFT.
 * Data actions:
 *   - `da-customer-lookup` sync. Inputs: customerId string (required), lookupType string,
 *     maxResults integer, includeHistory boolean, minScore number, tags array, filters object.
 *     Outputs: customerId string (echo), lookupType string (echo), tier string, score number.
 *   - `da-order-sync` async. Inputs: orderId string (required), amount number (required),
 *     currency string. Outputs: orderId string (echo), syncReference string, accepted boolean.
 *   Outputs named like an input echo it; the others are derived from a hash of the inputs, so
 *   the same inputs always give the same outputs.
 * Clients: `--client-id`/`--client-secret` (default `sim-client`/`sim-secret`) with all scopes;
 *   `sim-readonly`/`sim-readonly-secret` with `contacts:read data-actions:read` only.
 * Access keys (access-key and password token flows): `sim-access-key`/`sim-access-secret`, all scopes.
 */
import type {
  AccessKey,
  Client,
  ClientPatch,
  Contact,
  DataAction,
  Fixtures,
  Journey,
} from './fixtures-schema.ts';
import { ALL_SCOPES } from './fixtures-schema.ts';

export interface FixtureStore {
  contact(id: string): Contact | undefined;
  journey(id: string): Journey | undefined;
  dataAction(id: string): DataAction | undefined;
  client(clientId: string): Client | undefined;
  accessKey(accessKeyId: string): AccessKey | undefined;
  /** Changes a client's secret or scopes; tokens already issued keep the scopes they were issued with. */
  updateClient(clientId: string, patch: ClientPatch): Client | undefined;
}

export interface FixtureStoreOptions {
  contacts: number;
  clientId: string;
  clientSecret: string;
  fixtures?: Fixtures | undefined;
}

const GENERATED_CONTACT = /^c-(\d{6,})$/;

function formatContactId(n: number): string {
  return `c-${String(n).padStart(6, '0')}`;
}

export function generatedContact(id: string, count: number): Contact | undefined {
  const match = GENERATED_CONTACT.exec(id);
  if (!match?.[1]) return undefined;
  const n = Number(match[1]);
  // Only the canonical spelling exists, so `c-0000001` is not an alias of `c-000001`.
  if (n < 1 || n > count || formatContactId(n) !== id) return undefined;
  const digits = id.slice(2);
  const suppressionStatus = n % 40 === 20 ? 'UNSUBSCRIBED' : n % 40 === 0 ? 'SUPPRESSED' : 'SUBSCRIBED';
  return {
    id,
    suppressionStatus,
    email: `${id}@example.test`,
    externalId: `ext-${digits}`,
    firstName: 'Contact',
    lastName: digits,
  };
}

const DEFAULT_JOURNEYS: readonly Journey[] = [
  { id: 'j-welcome', name: 'Welcome series', state: 'ACTIVE' },
  { id: 'j-winback', name: 'Win-back', state: 'ACTIVE' },
  { id: 'j-paused', name: 'Paused campaign', state: 'PAUSED' },
  { id: 'j-draft', name: 'Draft journey', state: 'DRAFT' },
];

const DEFAULT_DATA_ACTIONS: readonly DataAction[] = [
  {
    id: 'da-customer-lookup',
    name: 'Customer lookup',
    mode: 'sync',
    inputs: [
      { name: 'customerId', type: 'string', required: true },
      { name: 'lookupType', type: 'string', required: false },
      { name: 'maxResults', type: 'integer', required: false },
      { name: 'includeHistory', type: 'boolean', required: false },
      { name: 'minScore', type: 'number', required: false },
      { name: 'tags', type: 'array', required: false },
      { name: 'filters', type: 'object', required: false },
    ],
    outputs: [
      { name: 'customerId', type: 'string' },
      { name: 'lookupType', type: 'string' },
      { name: 'tier', type: 'string' },
      { name: 'score', type: 'number' },
    ],
  },
  {
    id: 'da-order-sync',
    name: 'Order sync',
    mode: 'async',
    inputs: [
      { name: 'orderId', type: 'string', required: true },
      { name: 'amount', type: 'number', required: true },
      { name: 'currency', type: 'string', required: false },
    ],
    outputs: [
      { name: 'orderId', type: 'string' },
      { name: 'syncReference', type: 'string' },
      { name: 'accepted', type: 'boolean' },
    ],
  },
];

function byId<T extends { id: string }>(defaults: readonly T[], extra: readonly T[]): Map<string, T> {
  return new Map([...defaults, ...extra].map((item) => [item.id, item]));
}

export function createFixtureStore(options: FixtureStoreOptions): FixtureStore {
  const file = options.fixtures;
  const contacts = new Map((file?.contacts ?? []).map((c) => [c.id, c]));
  const journeys = byId(DEFAULT_JOURNEYS, file?.journeys ?? []);
  const dataActions = byId(DEFAULT_DATA_ACTIONS, file?.dataActions ?? []);
  const clients = new Map<string, Client>();
  clients.set(options.clientId, {
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    scopes: [...ALL_SCOPES],
  });
  clients.set('sim-readonly', {
    clientId: 'sim-readonly',
    clientSecret: 'sim-readonly-secret',
    scopes: ['contacts:read', 'data-actions:read'],
  });
  for (const client of file?.clients ?? []) clients.set(client.clientId, client);
  const accessKeys = new Map<string, AccessKey>([
    [
      'sim-access-key',
      { accessKeyId: 'sim-access-key', accessKeySecret: 'sim-access-secret', scopes: [...ALL_SCOPES] },
    ],
  ]);
  for (const key of file?.accessKeys ?? []) accessKeys.set(key.accessKeyId, key);

  return {
    contact: (id) => contacts.get(id) ?? generatedContact(id, options.contacts),
    journey: (id) => journeys.get(id),
    dataAction: (id) => dataActions.get(id),
    client: (clientId) => clients.get(clientId),
    accessKey: (accessKeyId) => accessKeys.get(accessKeyId),
    updateClient(clientId, patch) {
      const client = clients.get(clientId);
      if (!client) return undefined;
      const updated = {
        ...client,
        ...(patch.clientSecret === undefined ? {} : { clientSecret: patch.clientSecret }),
        ...(patch.scopes === undefined ? {} : { scopes: patch.scopes }),
      };
      clients.set(clientId, updated);
      return updated;
    },
  };
}
