import type { SecureEndpoints } from '../../devkit/stack/index.ts';

/** How the integration suite's global setup hands the running stack to the test files. */
export const STACK_ENV = {
  bootstrap: 'CXONE_IT_KAFKA',
  registry: 'CXONE_IT_REGISTRY',
  sim: 'CXONE_IT_SIM',
  logs: 'CXONE_IT_LOGS',
  /** JSON of the stack's SecureEndpoints: the SASL_SSL and mTLS listeners, the registry behind nginx. */
  secure: 'CXONE_IT_SECURE',
} as const;

export interface TestStack {
  bootstrap: string;
  registryUrl: string;
  simUrl: string;
  secure: SecureEndpoints;
}

export function testStack(): TestStack {
  const bootstrap = process.env[STACK_ENV.bootstrap];
  const registryUrl = process.env[STACK_ENV.registry];
  const simUrl = process.env[STACK_ENV.sim];
  const secure = process.env[STACK_ENV.secure];
  if (!bootstrap || !registryUrl || !simUrl || !secure) {
    throw new Error(
      'the integration stack is not running: run integration tests with `npm run test:integration` (its global setup starts Kafka, the registry and the simulator)',
    );
  }
  return { bootstrap, registryUrl, simUrl, secure: JSON.parse(secure) as SecureEndpoints };
}
