/**
 * Runs the records of one batch concurrently while keeping per-key order (the
 * idea of Confluent's Parallel Consumer): a record starts only after the
 * previous record with the same key finished, and different keys run in
 * parallel up to `limit`. When a record fails, the later records of its key
 * are not started (they would overtake it); other keys go on.
 */
import pLimit from 'p-limit';

export type Settled<T> =
  { status: 'done'; value: T } | { status: 'failed'; error: unknown } | { status: 'skipped' };

export async function runKeyOrdered<I, T>(
  items: readonly I[],
  keyOf: (item: I) => string,
  limit: number,
  work: (item: I) => Promise<T>,
): Promise<Settled<T>[]> {
  const gate = pLimit(limit);
  const tails = new Map<string, Promise<boolean>>();
  const settled: Settled<T>[] = new Array<Settled<T>>(items.length);

  const runs = items.map((item, index) => {
    const key = keyOf(item);
    const previous = tails.get(key) ?? Promise.resolve(true);
    // A record waiting for its key's predecessor holds no concurrency slot.
    const run = previous.then(async (previousOk) => {
      if (!previousOk) {
        settled[index] = { status: 'skipped' };
        return false;
      }
      try {
        settled[index] = { status: 'done', value: await gate(() => work(item)) };
        return true;
      } catch (error) {
        settled[index] = { status: 'failed', error };
        return false;
      }
    });
    tails.set(key, run);
    return run;
  });
  await Promise.all(runs);
  return settled;
}

/** How many leading items are done: only these may be committed. */
export function donePrefixLength<T>(settled: readonly Settled<T>[]): number {
  const firstNotDone = settled.findIndex((s) => s.status !== 'done');
  return firstNotDone === -1 ? settled.length : firstNotDone;
}
