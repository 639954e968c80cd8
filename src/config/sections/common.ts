/** Building blocks every section shares: topic names, durations, times, retry policies, TLS. */
import { z } from 'zod';

export const topicName = z
  .string()
  .min(1)
  .max(249)
  .regex(/^[a-zA-Z0-9._-]+$/, 'a Kafka topic name uses only letters, digits, ".", "_" and "-"');

export const durationMs = z.number().int().nonnegative();
export const isoTime = z.iso.datetime({ offset: true });

export const retryPolicySchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(100).default(6),
    initialDelayMs: durationMs.default(200),
    maxDelayMs: durationMs.default(10_000),
    multiplier: z.number().min(1).max(10).default(2),
    /** Bound on the total time one call may spend retrying, Retry-After waits included. */
    maxElapsedMs: durationMs.default(60_000),
  })
  .strict()
  .refine((p) => p.maxDelayMs >= p.initialDelayMs, {
    message: 'maxDelayMs must be at least initialDelayMs',
    path: ['maxDelayMs'],
  });

/**
 * TLS to the brokers or the registry. PEM text, usually `${file:/mounted/ca.pem}`; a section
 * present turns TLS on (`enabled: false` turns it off again, e.g. from an override).
 */
export const tlsSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** The CA bundle that signed the server's certificate; default: Node's public CAs. */
    ca: z.string().min(1).optional(),
    /** Client certificate and key for mutual TLS (both or neither). */
    cert: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
    keyPassword: z.string().min(1).optional(),
    /** The name the server's certificate must carry when it differs from the host dialled (SNI too). */
    servername: z.string().min(1).optional(),
    /** Off only to diagnose: a connection whose certificate is not verified can be intercepted. */
    verify: z.boolean().default(true),
  })
  .strict()
  .refine((t) => (t.cert === undefined) === (t.key === undefined), {
    message: 'cert and key go together (mutual TLS needs both)',
    path: ['key'],
  });
