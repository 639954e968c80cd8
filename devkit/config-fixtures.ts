/**
 * The smallest valid connector config, for tests that need validated settings
 * but connect nowhere, and the compiled routes of a list of raw routes.
 */
import { generateKeyPairSync } from 'node:crypto';
import { compileConfig } from '../src/config/compile-config.ts';
import { validateConfig } from '../src/config/load-config.ts';
import type { ConnectorConfig } from '../src/config/schema.ts';
import { ConfigError } from '../src/errors.ts';
import { compileRoutes, type CompiledRoutes } from '../src/mapping/compile-routes.ts';

/** A throwaway Ed25519 key for the audit checkpoints of configs that sign nothing real. */
const TEST_SIGNING_KEY = generateKeyPairSync('ed25519').privateKey.export({
  type: 'pkcs8',
  format: 'pem',
}) as string;

export const MINIMAL_CONFIG = {
  kafka: { brokers: ['127.0.0.1:9092'] },
  registry: { url: 'http://127.0.0.1:8080/apis/ccompat/v7' },
  cxone: { baseUrl: 'https://tenant.example', auth: { clientId: 'id', clientSecret: 'secret' } },
  audit: { piiKey: 'test-audit-pii-key-0123456789abcdef', signingKey: TEST_SIGNING_KEY },
} as const;

/** MINIMAL_CONFIG with `extra`'s top-level sections added, validated (throws ConfigError). */
export function testConfig(extra: Record<string, unknown>): ConnectorConfig {
  return validateConfig({ ...MINIMAL_CONFIG, ...extra });
}

/** The problems validation reports for `raw` ([] when it is valid); anything but a ConfigError is thrown. */
export function configIssues(raw: unknown): string[] {
  try {
    validateConfig(raw);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [...error.issues];
  }
  return [];
}

/** Routes compiled as the connector compiles them: validated, compiled into definitions, parsed. */
export function routesOf(config: ConnectorConfig): CompiledRoutes {
  const { routes, unrouted } = compileConfig(config).processor;
  return compileRoutes(routes, unrouted);
}

export function compiledRoutes(
  routes: Record<string, unknown>[],
  processing: Record<string, unknown> = {},
): CompiledRoutes {
  return routesOf(testConfig({ routes, processing }));
}
