/**
 * Hashes contact identifiers before they are written to the results and audit
 * topics (`audit.hashPii`). HMAC-SHA256 keyed by a secret salt, not a bare
 * SHA-256: contact ids are guessable, and an unsalted hash of a guessable value
 * is reversible by enumeration. The same id always hashes the same way, so a
 * data team can still join on it (after hashing their own ids with the salt).
 */
import { createHmac } from 'node:crypto';

export type PiiHasher = (value: string | null) => string | null;

export const PII_HASH_PREFIX = 'hmac-sha256:';

/** The `audit` settings: hash contact ids, keyed by a secret salt. */
export interface PiiSettings {
  hashPii: boolean;
  piiSalt?: string | undefined;
}

export function createPiiHasher(audit: PiiSettings): PiiHasher {
  if (!audit.hashPii) return (value) => value;
  const salt = audit.piiSalt;
  if (salt === undefined) throw new Error('audit.hashPii needs audit.piiSalt (config validation ensures it)');
  return (value) =>
    value === null
      ? null
      : `${PII_HASH_PREFIX}${createHmac('sha256', salt).update(value, 'utf8').digest('hex')}`;
}
