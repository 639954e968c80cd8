// Shared helpers for simulator tests: an in-process simulator on port 0, tokens, JSON requests.
import type { SimDeps, SimOptionsInput, Simulator } from '../../../src/sim/server.ts';
import { createSimulator } from '../../../src/sim/server.ts';

export interface RunningSim {
  sim: Simulator;
  url: string;
  close(): Promise<void>;
}

export async function startSim(options: SimOptionsInput = {}, deps: SimDeps = {}): Promise<RunningSim> {
  const sim = createSimulator({ seed: 7, ...options }, deps);
  const { url } = await sim.listen(0, '127.0.0.1');
  return { sim, url, close: () => sim.close() };
}

// A hand-driven clock, so expiry and async progress are tested without sleeping.
export function createManualClock(start = 1_700_000_000_000): {
  now: () => number;
  advance(ms: number): void;
} {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export function basicAuth(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

export async function getToken(
  url: string,
  scope?: string,
  id = 'sim-client',
  secret = 'sim-secret',
): Promise<string> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: id,
    client_secret: secret,
  });
  if (scope !== undefined) form.set('scope', scope);
  const res = await fetch(`${url}/oauth2/token`, { method: 'POST', headers: FORM, body: form.toString() });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests poke at arbitrary JSON
}

export async function call(
  url: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(`${url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
  };
}

export function triggerBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    contactId: 'c-000001',
    attributes: { email: 'c-000001@example.test', external_id: 'ext-000001', order_id: 'ORD-1' },
    event: 'PURCHASE_COMPLETED',
    deduplicationId: 'dedup-1',
    timestamp: '2024-10-15T10:00:00Z',
    ...overrides,
  };
}
