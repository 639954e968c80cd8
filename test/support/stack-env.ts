/** How the integration suite's global setup hands the running stack to the test files. */
export const STACK_ENV = {
  bootstrap: 'CXONE_IT_KAFKA',
  registry: 'CXONE_IT_REGISTRY',
  sim: 'CXONE_IT_SIM',
  logs: 'CXONE_IT_LOGS',
} as const;

export interface TestStack {
  bootstrap: string;
  registryUrl: string;
  simUrl: string;
}

export function testStack(): TestStack {
  const bootstrap = process.env[STACK_ENV.bootstrap];
  const registryUrl = process.env[STACK_ENV.registry];
  const simUrl = process.env[STACK_ENV.sim];
  if (!bootstrap || !registryUrl || !simUrl) {
    throw new Error(
      'the integration stack is not running: run integration tests with `npm run test:integration` (its global setup starts Kafka, the registry and the simulator)',
    );
  }
  return { bootstrap, registryUrl, simUrl };
}
