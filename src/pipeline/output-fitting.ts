/**
 * Trims an output record that would be over its topic's max.message.bytes
 * (output/message-size.ts says why a refused record would wedge the
 * partition): a dead letter keeps its headers, not its value (which stays in
 * the input topic at the offset its headers give); a result keeps everything
 * but a data action's outputs. Each trim is counted and logged.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { CallOutcome } from '../cxone/call-outcome.ts';
import type { ConnectorMetrics } from '../observability/metrics.ts';
import { fits } from '../output/message-size.ts';
import {
  buildResult,
  DLQ_HEADERS,
  type BuildOptions,
  type DlqRecord,
  type EffectDescription,
  type RecordContext,
  type ResultRecord,
} from '../output/output-records.ts';
import type { OutputEncoder } from '../output/output-schemas.ts';

export interface OutputLimits {
  results?: number | undefined;
  audit?: number | undefined;
  dlq?: number | undefined;
}

export interface OutputFitting {
  deadLetter(dlq: DlqRecord): DlqRecord;
  result(
    key: string,
    effect: EffectDescription,
    outcome: CallOutcome,
    ctx: RecordContext,
    build: BuildOptions,
  ): { key: string; value: Buffer };
}

export function createOutputFitting(
  limits: OutputLimits,
  deps: { encoder: OutputEncoder<ResultRecord>; metrics: ConnectorMetrics; logger: Logger },
): OutputFitting {
  return {
    deadLetter(dlq) {
      if (limits.dlq === undefined || dlq.value === null || fits(dlq, limits.dlq)) return dlq;
      deps.metrics.outputsTrimmed.inc({ output: 'dlq' });
      deps.logger.warn(
        { bytes: dlq.value.length, limit: limits.dlq },
        'dead letter too big for the DLQ topic: written without its value, which stays in the input topic at the offset in its headers',
      );
      return {
        key: dlq.key,
        value: null,
        headers: {
          ...dlq.headers,
          [DLQ_HEADERS.valueOmitted]: String(dlq.value.length),
          [DLQ_HEADERS.valueSha256]: createHash('sha256').update(dlq.value).digest('hex'),
        },
      };
    },
    result(key, effect, outcome, ctx, build) {
      const full = { key, value: deps.encoder.encode(buildResult(effect, outcome, ctx, build)) };
      if (limits.results === undefined || fits(full, limits.results)) return full;
      deps.metrics.outputsTrimmed.inc({ output: 'results' });
      const detail = `outputs omitted: the result (${full.value.length} bytes) is over the results topic's max.message.bytes (${limits.results})`;
      deps.logger.warn({ idempotencyKey: key }, detail);
      const trimmed: CallOutcome = outcome.error ? outcome : { ...outcome, detail };
      const { outputs: _outputs, ...withoutOutputs } = build;
      return { key, value: deps.encoder.encode(buildResult(effect, trimmed, ctx, withoutOutputs)) };
    },
  };
}
