// OAuth 2.0 client credentials as the two seed documents describe it, and bearer checks.
// Seed 000 "Authentication Setup": POST /api/v2/oauth/token, HTTP Basic client_id:secret,
//   form grant_type=client_credentials.
// Seed 002 "Authentication Setup": POST /oauth2/token, form grant_type, client_id, client_secret,
//   scope (space-separated).
// Both endpoints accept both client authentication styles (RFC 6749 2.3.1); Basic wins if both.
// CXone's tenant flows too: the back-end application's password grant (the access key id and
// secret as username and password, with client authentication) on those paths and /auth/token,
// and the access-key token request, POST JSON { accessKeyId, accessKeySecret } at
// /authentication/v1/token/access-key.
// Error bodies follow RFC 6749 5.2 / RFC 6750 3.1 for every route: auth happens at the gateway,
// before any product-specific error format.
import type { IncomingMessage } from 'node:http';
import type { Reply } from './http-io.ts';
import type { Route, RouteContext, SimWorld } from './world.ts';

const REALM = 'realm="cxone-sim"';

function oauthError(status: number, error: string, message: string, headers?: Record<string, string>): Reply {
  return { status, body: { error, error_description: message, message }, ...(headers ? { headers } : {}) };
}

function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  if (!header?.toLowerCase().startsWith('basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  // RFC 6749 2.3.1: id and secret are form-urlencoded before base64.
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
}

function handleTokenRequest(world: SimWorld, ctx: RouteContext): Reply {
  const contentType = (ctx.req.headers['content-type'] ?? '').toLowerCase();
  if (!contentType.startsWith('application/x-www-form-urlencoded')) {
    return oauthError(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
  }
  const form = new URLSearchParams(ctx.body.toString('utf8'));
  const grantType = form.get('grant_type');
  if (grantType === null) return oauthError(400, 'invalid_request', 'grant_type is required');
  if (grantType !== 'client_credentials' && grantType !== 'password') {
    return oauthError(400, 'unsupported_grant_type', 'grant_type must be client_credentials or password');
  }
  const basic = parseBasic(ctx.req.headers.authorization);
  const clientId = basic?.id ?? form.get('client_id') ?? '';
  const secret = basic?.secret ?? form.get('client_secret') ?? '';
  const client = world.fixtures.client(clientId);
  if (!client || client.clientSecret !== secret) {
    return oauthError(401, 'invalid_client', 'Client authentication failed', {
      'www-authenticate': `Basic ${REALM}`,
    });
  }
  let allowed: readonly string[] = client.scopes;
  if (grantType === 'password') {
    const key = world.fixtures.accessKey(form.get('username') ?? '');
    if (!key || key.accessKeySecret !== (form.get('password') ?? '')) {
      return oauthError(
        400,
        'invalid_grant',
        'The access key id or secret (username, password) is not valid',
      );
    }
    allowed = client.scopes.filter((s) => key.scopes.includes(s));
  }
  const requested = (form.get('scope') ?? '').split(/\s+/).filter((s) => s !== '');
  const unknown = requested.filter((s) => !allowed.includes(s));
  if (unknown.length > 0) {
    return oauthError(400, 'invalid_scope', `Scope not allowed for this client: ${unknown.join(' ')}`);
  }
  // No scope requested: every scope the client has (RFC 6749 3.3 lets the server choose a default).
  const granted = requested.length > 0 ? [...new Set(requested)] : [...allowed];
  const ttlS = world.runtime.tokenTtlS;
  const accessToken = world.tokens.issue(client.clientId, granted, ttlS * 1000);
  world.stats.scalars.tokensIssued++;
  return {
    status: 200,
    headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
    body: { access_token: accessToken, token_type: 'Bearer', expires_in: ttlS, scope: granted.join(' ') },
  };
}

// Returns an error reply when the request may not proceed, undefined when it may.
export function authorize(world: SimWorld, req: IncomingMessage, scope: string): Reply | undefined {
  const header = req.headers.authorization;
  if (!header?.toLowerCase().startsWith('bearer ')) {
    // RFC 6750 3.1: no error code when the request carried no credentials at all.
    return oauthError(401, 'unauthorized', 'Missing bearer token', { 'www-authenticate': `Bearer ${REALM}` });
  }
  const check = world.tokens.check(header.slice(7).trim());
  if (!check.ok) {
    const why =
      check.reason === 'expired' ? 'The access token expired' : 'The access token is unknown or revoked';
    return oauthError(401, 'invalid_token', why, {
      'www-authenticate': `Bearer ${REALM}, error="invalid_token", error_description="${why}"`,
    });
  }
  if (!check.token.scopes.has(scope)) {
    return {
      status: 403,
      headers: { 'www-authenticate': `Bearer ${REALM}, error="insufficient_scope", scope="${scope}"` },
      body: {
        error: 'insufficient_scope',
        error_description: `The access token lacks the required scope ${scope}`,
        message: `The access token lacks the required scope ${scope}`,
        scope,
      },
    };
  }
  return undefined;
}

function handleAccessKeyRequest(world: SimWorld, ctx: RouteContext): Reply {
  let body: unknown;
  try {
    body = JSON.parse(ctx.body.toString('utf8'));
  } catch {
    return oauthError(400, 'invalid_request', 'The body must be JSON { accessKeyId, accessKeySecret }');
  }
  const { accessKeyId, accessKeySecret } = (body ?? {}) as {
    accessKeyId?: unknown;
    accessKeySecret?: unknown;
  };
  if (typeof accessKeyId !== 'string' || typeof accessKeySecret !== 'string') {
    return oauthError(400, 'invalid_request', 'accessKeyId and accessKeySecret are required');
  }
  const key = world.fixtures.accessKey(accessKeyId);
  if (!key || key.accessKeySecret !== accessKeySecret) {
    return oauthError(401, 'invalid_access_key', 'The access key is not valid');
  }
  const ttlS = world.runtime.tokenTtlS;
  const accessToken = world.tokens.issue(key.accessKeyId, key.scopes, ttlS * 1000);
  world.stats.scalars.tokensIssued++;
  return {
    status: 200,
    headers: { 'cache-control': 'no-store' },
    body: { access_token: accessToken, token_type: 'Bearer', expires_in: ttlS, scope: key.scopes.join(' ') },
  };
}

export function createTokenRoutes(world: SimWorld): Route[] {
  const handle = (ctx: RouteContext): Reply => handleTokenRequest(world, ctx);
  return [
    { method: 'POST', template: '/api/v2/oauth/token', handle },
    { method: 'POST', template: '/oauth2/token', handle },
    { method: 'POST', template: '/auth/token', handle },
    {
      method: 'POST',
      template: '/authentication/v1/token/access-key',
      handle: (ctx) => handleAccessKeyRequest(world, ctx),
    },
  ];
}
