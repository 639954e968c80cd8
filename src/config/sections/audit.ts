/** `audit`: contact ids HMACd under a mounted key, and the signing of the audit chains' checkpoints. */
import { z } from 'zod';
import { MAX_CHECKPOINT_SPAN } from '../../audit/chain-writer.ts';

export const auditSchema = z
  .object({
    /**
     * Write an HMAC-SHA256 of the contact id to the audit topic, never the id (on by default: the
     * audit topic is read by data teams, not the CDP that owns the id). The results topic keeps the
     * id: it goes back to the CDP. `false` writes ids in clear, a choice validate-config reports.
     */
    hashPii: z.boolean().default(true),
    /** The HMAC key, from a mounted secret: `${file:/etc/cxone-connector/pii/key}`. At least 32 characters. */
    piiKey: z.string().min(32).optional(),
    /** The key's older name (at least 16 characters), read so the hashes of a deployment that set it still join. */
    piiSalt: z.string().min(16).optional(),
    /**
     * The Ed25519 private key (PEM) that signs the audit chains' checkpoints, from a mounted secret:
     * `${file:/etc/cxone-connector/audit-signing/key.pem}` (openssl genpkey -algorithm ed25519).
     * Unset: records are chained, and no checkpoint is signed (validate-config and check say so).
     * Parsed beside the schema (config/resource-checks.ts).
     */
    signingKey: z.string().optional(),
    /** Names the key in each checkpoint, so old checkpoints verify under their own key after a rotation. Default: derived from the public key. */
    signingKeyId: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,64}$/)
      .optional(),
    /** A checkpoint after this many records of a chain (at most 4096: the span's state rides in the offset metadata). */
    checkpointEvery: z.number().int().min(1).max(MAX_CHECKPOINT_SPAN).default(1000),
    /** A checkpoint at the first commit this long after its span began, however few records it holds. */
    checkpointIntervalMs: z.number().int().min(1000).default(60_000),
  })
  .strict()
  .superRefine((audit, ctx) => {
    if (audit.piiKey !== undefined && audit.piiSalt !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['piiSalt'],
        message: 'set audit.piiKey or its older name audit.piiSalt, not both',
      });
    }
    if (audit.hashPii && audit.piiKey === undefined && audit.piiSalt === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['piiKey'],
        message:
          'audit.hashPii is on (the default) and needs a key: mount a secret of at least 32 characters (openssl rand -hex 32) and set audit.piiKey to "${file:/path/to/it}"; or set audit.hashPii: false to write contact ids to the audit topic in clear',
      });
    }
  });
