/** The `registry` section: the Confluent-compatible schema registry and its credentials. */
import { z } from 'zod';
import { durationMs, tlsSchema } from './common.ts';

export const registrySchema = z
  .object({
    /** Base URL of a Confluent-compatible API, e.g. Apicurio's http://host:8080/apis/ccompat/v7 */
    url: z.url(),
    /** Basic auth (Confluent Cloud: the schema registry API key and secret). */
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /** A bearer token instead of basic auth. */
    bearerToken: z.string().min(1).optional(),
    /** Accept an http:// url while credentials are set: they would travel in clear (a local test only). */
    allowInsecureHttp: z.boolean().default(false),
    ssl: tlsSchema.optional(),
    /** Request timeout per registry call. */
    requestTimeoutMs: durationMs.min(100).default(10_000),
    /**
     * true: the output schemas are registered at start (and the subjects' compatibility set).
     * false: the schemas already registered for the output subjects are used as they are; a
     * subject missing or incompatible with the connector's schema fails the start.
     */
    autoRegister: z.boolean().default(true),
  })
  .strict()
  .refine((r) => (r.username === undefined) === (r.password === undefined), {
    message: 'username and password go together',
    path: ['password'],
  })
  .refine((r) => r.bearerToken === undefined || r.username === undefined, {
    message: 'use basic auth (username, password) or bearerToken, not both',
    path: ['bearerToken'],
  });
