#!/usr/bin/env node
/**
 * The chaos run's entry point, never the product's: `cli.ts` with crash points.
 * `CXONE_CONNECTOR_TEST_CRASH_POINTS="after-call=0.001,during-commit=0.01"` makes
 * `run` SIGKILL itself at those points with those odds, so kills land at the worst
 * moments on purpose. The image leaves this file out (Dockerfile), so no setting
 * of a production process can make it kill itself.
 */
import { describeFailure, main } from './main.ts';

function crashPoints(spec: string | undefined): ((name: string) => void) | undefined {
  if (!spec) return undefined;
  const odds = new Map(
    spec.split(',').map((part) => {
      const [name, p] = part.split('=');
      return [name?.trim() ?? '', Number(p)] as const;
    }),
  );
  return (name) => {
    const p = odds.get(name);
    if (p !== undefined && Math.random() < p) {
      process.stderr.write(`crash point ${name}: SIGKILL\n`);
      process.kill(process.pid, 'SIGKILL');
    }
  };
}

const faultPoint = crashPoints(process.env.CXONE_CONNECTOR_TEST_CRASH_POINTS);
main(process.argv.slice(2), faultPoint ? { faultPoint } : {}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(describeFailure(error, true));
    process.exitCode = 1;
  },
);
