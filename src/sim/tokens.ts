// Access tokens issued by the simulated OAuth endpoints: opaque strings with a client, scopes and
// an expiry. Revocation drops every token issued so far (POST /_sim/tokens/revoke).
import { randomBytes } from 'node:crypto';

export interface IssuedToken {
  clientId: string;
  scopes: ReadonlySet<string>;
  expiresAt: number;
}

export type TokenCheck = { ok: true; token: IssuedToken } | { ok: false; reason: 'unknown' | 'expired' };

export interface TokenStore {
  issue(clientId: string, scopes: readonly string[], ttlMs: number): string;
  check(accessToken: string): TokenCheck;
  revokeAll(): number;
  size(): number;
}

export function createTokenStore(now: () => number): TokenStore {
  let tokens = new Map<string, IssuedToken>();

  // Insertion order is (nearly) expiry order, so pruning from the front is amortised O(1).
  function pruneExpired(at: number): void {
    for (const [key, token] of tokens) {
      if (token.expiresAt > at) return;
      tokens.delete(key);
    }
  }

  return {
    issue(clientId, scopes, ttlMs) {
      const at = now();
      pruneExpired(at);
      const accessToken = `sim.${randomBytes(24).toString('base64url')}`;
      tokens.set(accessToken, { clientId, scopes: new Set(scopes), expiresAt: at + ttlMs });
      return accessToken;
    },
    check(accessToken) {
      const token = tokens.get(accessToken);
      if (!token) return { ok: false, reason: 'unknown' };
      if (token.expiresAt <= now()) {
        tokens.delete(accessToken);
        return { ok: false, reason: 'expired' };
      }
      return { ok: true, token };
    },
    revokeAll() {
      const revoked = tokens.size;
      tokens = new Map();
      return revoked;
    },
    size: () => tokens.size,
  };
}
