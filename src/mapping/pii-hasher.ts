/**
 * Hashes contact identifiers before they are written to the audit topic
 * (`audit.hashPii`, on by default). HMAC-SHA256 under a mounted key, not a bare
 * or salted SHA-256: contact ids are guessable, and a hash of a guessable value
 * whose salt sits beside it is reversible by enumeration. The same id always
 * hashes the same way, so a data team holding the key can still join on it.
 */
import { createHmac } from 'node:crypto';

export type PiiHasher = (value: string | null) => string | null;

export const PII_HASH_PREFIX = 'hmac-sha256:';

/** The `audit` settings: hash contact ids under a key (`piiSalt` is the key's older name). */
export interface PiiSettings {
  hashPii: boolean;
  piiKey?: string | undefined;
  piiSalt?: string | undefined;
}

export function createPiiHasher(audit: PiiSettings): PiiHasher {
  if (!audit.hashPii) return (value) => value;
  const key = audit.piiKey ?? audit.piiSalt;
  if (key === undefined) throw new Error('audit.hashPii needs audit.piiKey (config validation ensures it)');
  return (value) =>
    value === null
      ? null
      : `${PII_HASH_PREFIX}${createHmac('sha256', key).update(value, 'utf8').digest('hex')}`;
}
