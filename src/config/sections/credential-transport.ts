/** The cross-section rule that every endpoint sent a secret is reached over TLS. */
import type { z } from 'zod';
import type { cxoneAuthSchema } from './cxone.ts';
import type { kafkaSchema } from './kafka.ts';
import type { registrySchema } from './registry.ts';

const isHttp = (url: string | undefined): boolean =>
  url !== undefined && URL.parse(url)?.protocol === 'http:';

/**
 * Every endpoint that is sent a secret must be reached over TLS, unless its own flag says a
 * local test endpoint may be reached in clear.
 */
export function credentialTransportProblems(config: {
  kafka: z.infer<typeof kafkaSchema>;
  registry: z.infer<typeof registrySchema>;
  cxone: { auth: z.infer<typeof cxoneAuthSchema> };
}): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const { sasl, ssl } = config.kafka;
  if (sasl && isHttp(sasl.tokenUrl) && !sasl.allowInsecureHttp) {
    problems.push({
      path: ['kafka', 'sasl', 'tokenUrl'],
      message:
        'the OAUTHBEARER token endpoint must be https: the client secret is sent to it; set kafka.sasl.allowInsecureHttp: true only for a local test IdP',
    });
  }
  if (sasl && (ssl === undefined || !ssl.enabled) && !config.kafka.allowPlaintextSasl) {
    problems.push({
      path: ['kafka', 'sasl'],
      message: `SASL ${sasl.mechanism} without kafka.ssl sends the credentials and every record in clear: add kafka.ssl (a SASL_SSL listener), or set kafka.allowPlaintextSasl: true for a network you trust`,
    });
  }
  const { registry } = config;
  const registryAuth =
    registry.username !== undefined ||
    registry.bearerToken !== undefined ||
    (URL.parse(registry.url)?.username ?? '') !== '';
  if (registryAuth && isHttp(registry.url) && !registry.allowInsecureHttp) {
    problems.push({
      path: ['registry', 'url'],
      message:
        'the registry must be reached over https while registry.username/password or bearerToken are set: they would travel in clear; set registry.allowInsecureHttp: true only for a local test',
    });
  }
  const { auth } = config.cxone;
  if (isHttp(auth.tokenUrl) && !auth.allowInsecureHttp) {
    problems.push({
      path: ['cxone', 'auth', 'tokenUrl'],
      message:
        'the CXone token endpoint must be https: the client credentials are sent to it; set cxone.auth.allowInsecureHttp: true only for the local simulator',
    });
  }
  return problems;
}
