/**
 * Journey triggers, seed document 000: "Step 3: Contact Eligibility and
 * Journey State Verification" (GET /api/v1/contacts/{id}: 404 → not found,
 * suppressionStatus must be SUBSCRIBED; GET /api/v1/journeys/{id}: state must
 * be ACTIVE) and "Step 4: Atomic Trigger Submission with Deduplication"
 * (POST /api/v1/journeys/{id}/trigger with Idempotency-Key).
 * Every path is configuration; the seed's paths are the defaults.
 */
import { CxoneError, failureClass } from '../errors.ts';
import type { JourneyTriggerRequest } from '../mapping/journey-trigger-request.ts';
import type { AuthorizedSend } from './authorized-http.ts';
import type { CallOutcome } from './call-outcome.ts';
import { pathTemplate } from './path-template.ts';
import { isReplayed, parseJsonObject as parseJson } from './response-json.ts';
import { withRetry, type RetryDeps, type RetryPolicy } from './retry.ts';

export interface JourneyPaths {
  contact: string;
  journey: string;
  trigger: string;
}

export interface JourneyTriggerClientOptions {
  paths: JourneyPaths;
  retry: RetryPolicy;
  journeyCacheTtlMs: number;
  /** How long a contact's eligibility is trusted; 0 checks on every trigger. Default 5 s. */
  contactCacheTtlMs?: number;
  now?: () => number;
  retryDeps?: RetryDeps;
}

export interface JourneyTriggerClient {
  trigger(request: JourneyTriggerRequest, signal?: AbortSignal): Promise<CallOutcome>;
  /** The journey's state (ACTIVE, …), as the trigger checks it: for the preflight. */
  journeyState(journeyId: string, signal?: AbortSignal): Promise<string>;
}

export function createJourneyTriggerClient(
  send: AuthorizedSend,
  options: JourneyTriggerClientOptions,
): JourneyTriggerClient {
  const now = options.now ?? Date.now;
  const paths = {
    contact: pathTemplate(options.paths.contact),
    journey: pathTemplate(options.paths.journey),
    trigger: pathTemplate(options.paths.trigger),
  };
  const journeyStates = new Map<string, { state: string; expiresAtMs: number }>();
  const contactTtlMs = options.contactCacheTtlMs ?? 5_000;
  const contacts = new Map<string, { status: string; expiresAtMs: number }>();

  const call = async <T>(op: () => Promise<T>, signal?: AbortSignal) =>
    withRetry(options.retry, op, {
      ...(signal ? { signal } : {}),
      ...(options.retryDeps ? { deps: options.retryDeps } : {}),
    });

  const journeyFetches = new Map<string, Promise<string>>();

  /** Cached per TTL, and one fetch in flight per journey however many records wait for it. */
  async function journeyState(journeyId: string, signal?: AbortSignal): Promise<string> {
    const cached = journeyStates.get(journeyId);
    if (cached && cached.expiresAtMs > now()) return cached.state;
    let pending = journeyFetches.get(journeyId);
    if (!pending) {
      pending = fetchJourneyState(journeyId, signal).finally(() => journeyFetches.delete(journeyId));
      journeyFetches.set(journeyId, pending);
    }
    return pending;
  }

  async function fetchJourneyState(journeyId: string, signal?: AbortSignal): Promise<string> {
    const { value } = await call(
      async () =>
        send({
          endpoint: 'journey',
          method: 'GET',
          path: paths.journey({ journeyId }),
          template: paths.journey.template,
          ...(signal ? { signal } : {}),
        }),
      signal,
    );
    const state = textField(parseJson(value, 'journey').state);
    journeyStates.set(journeyId, { state, expiresAtMs: now() + options.journeyCacheTtlMs });
    return state;
  }

  /** The contact's suppressionStatus, or `missing` when CXone does not know the contact. */
  async function contactStatus(contactId: string, signal?: AbortSignal): Promise<string> {
    const cached = contacts.get(contactId);
    if (cached && cached.expiresAtMs > now()) return cached.status;
    const status = await fetchContactStatus(contactId, signal);
    if (contactTtlMs > 0) {
      // Bounded: expired entries are swept when the map grows, so a stream of distinct contacts cannot grow it forever.
      if (contacts.size >= 10_000) sweep(contacts, now());
      contacts.set(contactId, { status, expiresAtMs: now() + contactTtlMs });
    }
    return status;
  }

  async function fetchContactStatus(contactId: string, signal?: AbortSignal): Promise<string> {
    try {
      const { value } = await call(
        async () =>
          send({
            endpoint: 'contact',
            method: 'GET',
            path: paths.contact({ contactId }),
            template: paths.contact.template,
            ...(signal ? { signal } : {}),
          }),
        signal,
      );
      return textField(parseJson(value, 'contact').suppressionStatus);
    } catch (error) {
      if (error instanceof CxoneError && error.code === 'CXONE_NOT_FOUND') return 'missing';
      throw error;
    }
  }

  return {
    journeyState,
    async trigger(request, signal) {
      const started = now();
      const contact = await contactStatus(request.contactId, signal);
      if (contact === 'missing') {
        return { outcome: 'CONTACT_NOT_FOUND', attempts: 0, latencyMs: now() - started, httpStatus: 404 };
      }
      if (contact !== 'SUBSCRIBED') {
        return {
          outcome: 'CONTACT_SUPPRESSED',
          attempts: 0,
          latencyMs: now() - started,
          detail: `suppressionStatus ${contact}`,
        };
      }
      const state = await journeyState(request.journeyId, signal);
      if (state !== 'ACTIVE') {
        return {
          outcome: 'JOURNEY_INACTIVE',
          attempts: 0,
          latencyMs: now() - started,
          detail: `journey ${request.journeyId} is ${state}`,
        };
      }
      let attempts = 0;
      try {
        const { value } = await call(async () => {
          attempts++;
          return send({
            endpoint: 'trigger',
            method: 'POST',
            path: paths.trigger({ journeyId: request.journeyId }),
            template: paths.trigger.template,
            headers: { 'content-type': 'application/json', 'idempotency-key': request.idempotencyKey },
            body: request.serializedBody,
            ...(signal ? { signal } : {}),
          });
        }, signal);
        const reply = parseJson(value, 'trigger');
        const reference = reply.triggerId ?? reply.id;
        return {
          outcome: 'ACCEPTED',
          attempts,
          latencyMs: now() - started,
          httpStatus: value.status,
          sentBody: request.serializedBody,
          ...(isReplayed(value) ? { replayed: true } : {}),
          ...(typeof reference === 'string' ? { reference } : {}),
        };
      } catch (error) {
        // Only a fault of this record's body is an outcome; credentials, scopes or a wrong journey id are thrown.
        if (error instanceof CxoneError && failureClass(error) === 'record') {
          return {
            outcome: 'REJECTED',
            attempts,
            latencyMs: now() - started,
            ...(error.status === undefined ? {} : { httpStatus: error.status }),
            sentBody: request.serializedBody,
            error,
          };
        }
        throw error;
      }
    },
  };
}

function textField(value: unknown): string {
  return typeof value === 'string' ? value : 'UNKNOWN';
}

function sweep(entries: Map<string, { expiresAtMs: number }>, at: number): void {
  for (const [key, entry] of entries) if (entry.expiresAtMs <= at) entries.delete(key);
  // Still full of live entries: drop the oldest half rather than grow without bound.
  if (entries.size >= 10_000) [...entries.keys()].slice(0, 5_000).forEach((key) => entries.delete(key));
}
