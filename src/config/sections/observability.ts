/** `observability`: log level, the ops port and its admin token, lag sampling. */
import { z } from 'zod';
import { durationMs } from './common.ts';

export const observabilitySchema = z
  .object({
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    metricsPort: z.number().int().min(0).max(65535).default(9464),
    /**
     * The ops port's bind address. Loopback by default: only this host can reach it until a
     * deployment says otherwise (the chart binds the pod IP, so probes and Prometheus reach it).
     */
    metricsHost: z.string().min(1).default('127.0.0.1'),
    /**
     * The bearer token `/status` and `/loglevel` ask for, from a mounted secret
     * (`${file:/var/run/secrets/cxone-admin/token}`, 32+ characters). Unset: both are off.
     */
    adminToken: z.string().min(32).optional(),
    /** How often the consumer lag gauges are refreshed (two admin requests per input topic). */
    lagSampleMs: durationMs.min(1000).default(10_000),
  })
  .strict();
