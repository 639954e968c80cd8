/**
 * One HTTP exchange on an undici dispatcher, answered as status, headers and
 * the body as text. It speaks undici's handler API directly instead of
 * `dispatcher.request()`: that one builds a Readable stream, an async
 * resource and an abort listener for every response, which the profile put
 * at a tenth of the connector's CPU for bodies of a few hundred bytes.
 *
 * Cancellation: many requests share one long-lived signal (a partition
 * worker's), so each signal gets one listener that aborts every exchange
 * still open on it, rather than one listener per request.
 */
import type { Dispatcher } from 'undici';

export interface TextReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bodyText: string;
}

type Abort = (reason: Error) => void;

export interface TextDispatch {
  (options: Dispatcher.DispatchOptions, signal?: AbortSignal): Promise<TextReply>;
}

export function createTextDispatch(dispatcher: Dispatcher): TextDispatch {
  const open = new WeakMap<AbortSignal, Set<Abort>>();

  function watch(signal: AbortSignal, abort: Abort): () => void {
    let aborts = open.get(signal);
    if (!aborts) {
      const set = new Set<Abort>();
      aborts = set;
      open.set(signal, set);
      signal.addEventListener(
        'abort',
        () => {
          for (const each of set) each(abortReason(signal));
          set.clear();
        },
        { once: true },
      );
    }
    aborts.add(abort);
    return () => aborts.delete(abort);
  }

  return (options, signal) =>
    new Promise<TextReply>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      let status = 0;
      let headers: TextReply['headers'] = {};
      const chunks: Buffer[] = [];
      let controller: Dispatcher.DispatchController | undefined;
      let pendingAbort: Error | undefined;
      const unwatch = signal
        ? watch(signal, (reason) => {
            if (controller) controller.abort(reason);
            else pendingAbort = reason;
          })
        : undefined;
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(started) {
          controller = started;
          if (pendingAbort) started.abort(pendingAbort);
        },
        onResponseStart(_controller, statusCode, responseHeaders) {
          status = statusCode;
          headers = responseHeaders;
        },
        onResponseData(_controller, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          unwatch?.();
          const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          resolve({ status, headers, bodyText: body.toString('utf8') });
        },
        onResponseError(_controller, error) {
          unwatch?.();
          reject(error);
        },
      };
      try {
        dispatcher.dispatch(options, handler);
      } catch (error) {
        unwatch?.();
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('request aborted');
}
