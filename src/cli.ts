#!/usr/bin/env node
import { describeFailure, main } from './main.ts';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  // main reports its commands' failures itself; this is a failure of main's own.
  (error: unknown) => {
    const debug =
      process.argv.includes('--debug') || ['debug', 'trace'].includes(process.env.LOG_LEVEL ?? '');
    process.stderr.write(describeFailure(error, debug));
    process.exitCode = 1;
  },
);
