/**
 * The one configuration schema, composed of its sections (`sections/`, a file
 * each): raw YAML (plus environment overrides) is validated here, with the
 * rules that span sections, and every default is stated once, on its own field (a
 * section left out is `prefault({})`: parsed as an empty object, so its
 * fields' defaults apply). `compileConfig` (compile-config.ts) then turns the
 * result into each component's own options. Durations are always `…Ms`.
 */
import { z } from 'zod';
import { auditSchema } from './sections/audit.ts';
import { credentialTransportProblems } from './sections/credential-transport.ts';
import { cxoneSchema } from './sections/cxone.ts';
import { kafkaSchema } from './sections/kafka.ts';
import { observabilitySchema } from './sections/observability.ts';
import { dedupSchema, processingSchema } from './sections/processing.ts';
import { registrySchema } from './sections/registry.ts';
import { routeSchema } from './sections/routes.ts';
import { decodeSchema, outputSchema } from './sections/schemas.ts';

export const configSchema = z
  .object({
    kafka: kafkaSchema,
    registry: registrySchema,
    cxone: cxoneSchema,
    routes: z.array(routeSchema).min(1),
    processing: processingSchema.prefault({}),
    decode: decodeSchema.prefault({}),
    output: outputSchema.prefault({}),
    audit: auditSchema.prefault({}),
    dedup: dedupSchema.prefault({}),
    observability: observabilitySchema.prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    // Refinements run even when a field failed; an invalid URL is already reported at its path.
    const url = URL.parse(config.cxone.baseUrl);
    if (url && url.protocol !== 'https:' && !config.cxone.allowInsecureHttp) {
      ctx.addIssue({
        code: 'custom',
        path: ['cxone', 'baseUrl'],
        message:
          'CXone must be reached over https; set cxone.allowInsecureHttp: true only for the local simulator',
      });
    }
    for (const problem of credentialTransportProblems(config)) ctx.addIssue({ code: 'custom', ...problem });
    const names = new Set<string>();
    config.routes.forEach((route, index) => {
      if (names.has(route.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['routes', index, 'name'],
          message: `duplicate route name "${route.name}"`,
        });
      }
      names.add(route.name);
    });
  });

export type ConnectorConfig = z.infer<typeof configSchema>;
export type RouteConfig = z.infer<typeof routeSchema>;
