/**
 * What a stage of the record path returns: its value, or the record fault that ends the record (a
 * ConnectorError that is not retryable: it is dead-lettered, or holds the partition). Anything else
 * a stage throws (CXone or the registry down, a configuration fault) goes up to the partition
 * worker, which parks the record and tries it again.
 */
import { ConnectorError } from '../../errors.ts';

export type StageResult<T> = { kind: 'ok'; value: T } | { kind: 'fault'; error: ConnectorError };

/** The one place an error becomes a record fault: `step`'s value, its fault, or its error thrown on. */
export async function runStage<T>(step: () => Promise<T> | T): Promise<StageResult<T>> {
  try {
    return { kind: 'ok', value: await step() };
  } catch (error) {
    if (error instanceof ConnectorError && !error.retryable) return { kind: 'fault', error };
    throw error;
  }
}
