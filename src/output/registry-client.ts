/**
 * The schema registry as the settings reach it: over TLS with a custom CA
 * (and a client certificate if asked), with HTTP Basic (Confluent Cloud's API
 * key and secret) or a bearer token, and a timeout on every request. Both ways
 * of talking to it live here: the Confluent client for schemas, and plain
 * HTTP for the subject config calls the client does not have.
 */
import { Agent as HttpsAgent } from 'node:https';
import type { ConnectionOptions } from 'node:tls';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Agent, request, type Dispatcher } from 'undici';

export interface RegistryEndpoint {
  url: string;
  auth?: { username: string; password: string } | undefined;
  bearerToken?: string | undefined;
  /** Node TLS options for an https URL (a CA, a client certificate). */
  tls?: ConnectionOptions | undefined;
  requestTimeoutMs: number;
}

/** mappersmith's middleware shape, as the Confluent client takes it. */
type Middleware = () => {
  prepareRequest(next: () => Promise<{ enhance(change: object): unknown }>): Promise<unknown>;
};

export function createSchemaRegistry(endpoint: RegistryEndpoint): SchemaRegistry {
  const middlewares: Middleware[] = [
    () => ({
      async prepareRequest(next) {
        const req = await next();
        return req.enhance({
          timeout: endpoint.requestTimeoutMs,
          ...(endpoint.bearerToken ? { headers: { authorization: `Bearer ${endpoint.bearerToken}` } } : {}),
        });
      },
    }),
  ];
  const https = endpoint.url.startsWith('https:');
  return new SchemaRegistry({
    host: endpoint.url,
    ...(endpoint.auth ? { auth: endpoint.auth } : {}),
    ...(https ? { agent: new HttpsAgent({ keepAlive: true, ...endpoint.tls }) } : {}),
    middlewares: middlewares as never,
  });
}

const dispatchers = new WeakMap<RegistryEndpoint, Dispatcher>();

function dispatcherFor(endpoint: RegistryEndpoint): Dispatcher | undefined {
  if (!endpoint.tls) return undefined;
  let dispatcher = dispatchers.get(endpoint);
  if (!dispatcher) {
    dispatcher = new Agent({ connect: endpoint.tls as NonNullable<Agent.Options['connect']> });
    dispatchers.set(endpoint, dispatcher);
  }
  return dispatcher;
}

export interface RegistryResponse {
  status: number;
  body: unknown;
}

/** One call to the registry's Confluent API; any status is returned, transport failures throw. */
export async function registryCall(
  endpoint: RegistryEndpoint,
  method: 'GET' | 'PUT' | 'POST',
  path: string,
  body?: unknown,
): Promise<RegistryResponse> {
  const headers: Record<string, string> = {
    accept: 'application/vnd.schemaregistry.v1+json, application/json',
  };
  if (endpoint.auth) {
    const basic = Buffer.from(`${endpoint.auth.username}:${endpoint.auth.password}`).toString('base64');
    headers.authorization = `Basic ${basic}`;
  } else if (endpoint.bearerToken) {
    headers.authorization = `Bearer ${endpoint.bearerToken}`;
  }
  if (body !== undefined) headers['content-type'] = 'application/vnd.schemaregistry.v1+json';
  const dispatcher = dispatcherFor(endpoint);
  const response = await request(`${endpoint.url.replace(/\/$/, '')}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(dispatcher ? { dispatcher } : {}),
    headersTimeout: endpoint.requestTimeoutMs,
    bodyTimeout: endpoint.requestTimeoutMs,
  });
  const text = await response.body.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.statusCode, body: parsed };
}

/** A registry URL as it may be printed: without user info (a URL can carry credentials). */
export function redactUrl(url: string): string {
  const parsed = URL.parse(url);
  if (!parsed) return '(unparseable URL)';
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}
