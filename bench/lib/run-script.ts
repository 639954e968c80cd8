/**
 * Runs a harness's main function as the process: its result is the exit code,
 * a failure is printed with its cause. The process also exits 5 s after main
 * returns, whatever still holds the event loop: kafkajs can leave a consumer's
 * restart timer behind after disconnect() (seen after broker restarts), which
 * would keep a finished harness alive for ever.
 */
export function runScript(what: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
      setTimeout(() => process.exit(code), 5_000).unref();
    },
    (error: unknown) => {
      const cause = (error as { cause?: unknown }).cause;
      const why = cause instanceof Error ? `\n  cause: ${cause.message}` : '';
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`${what} failed: ${text}${why}\n`);
      process.exitCode = 1;
    },
  );
}
