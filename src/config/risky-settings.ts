/**
 * The valid settings that lower a protection: each is a deliberate choice,
 * so it is said aloud at every start (a warn line), by `validate-config` and by
 * `check`, and never passes unnoticed in a review of the config.
 */
import type { ConnectorConfig } from './schema.ts';

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

export function riskySettings(config: ConnectorConfig): string[] {
  const notes: string[] = [];
  if (!config.audit.hashPii)
    notes.push('audit.hashPii is false: contact ids are written to the audit topic in clear');
  if (config.audit.signingKey === undefined)
    notes.push(
      'audit.signingKey is unset: audit records are chained but no checkpoint is signed, so a writer with Write on the audit topic can rewrite a whole chain unnoticed (docs/audit.md "Audit integrity")',
    );
  if (config.kafka.ssl?.enabled && !config.kafka.ssl.verify)
    notes.push(
      "kafka.ssl.verify is false: the brokers' certificates are not checked, so a connection can be intercepted",
    );
  if (config.registry.ssl?.enabled && !config.registry.ssl.verify)
    notes.push(
      "registry.ssl.verify is false: the registry's certificate is not checked, so a connection can be intercepted",
    );
  if (config.kafka.sasl && !config.kafka.ssl?.enabled && config.kafka.allowPlaintextSasl)
    notes.push('kafka.allowPlaintextSasl is true: the SASL credentials and every record travel in clear');
  // Plain HTTP to this host (the local simulator, a test IdP) never leaves it: nothing to say.
  const http = (url: string | undefined): boolean => {
    const parsed = url === undefined ? null : URL.parse(url);
    return parsed?.protocol === 'http:' && !LOOPBACK.test(parsed.hostname);
  };
  if (http(config.cxone.baseUrl))
    notes.push(
      'cxone.allowInsecureHttp is true and cxone.baseUrl is http: tokens and contact data travel in clear',
    );
  if (http(config.cxone.auth.tokenUrl))
    notes.push(
      'cxone.auth.allowInsecureHttp is true: the CXone credentials travel to the token endpoint in clear',
    );
  if (http(config.kafka.sasl?.tokenUrl))
    notes.push('kafka.sasl.allowInsecureHttp is true: the OAUTHBEARER client secret travels in clear');
  if (
    http(config.registry.url) &&
    (config.registry.username !== undefined ||
      config.registry.bearerToken !== undefined ||
      (URL.parse(config.registry.url)?.username ?? '') !== '')
  )
    notes.push('registry.allowInsecureHttp is true: the registry credentials travel in clear');
  return notes;
}
