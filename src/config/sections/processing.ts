/** `processing` (concurrency, buffering, retries, record faults, event age) and `dedup` (the window and its store). */
import { z } from 'zod';
import { UNROUTED_POLICIES } from '../../mapping/route-definition.ts';
import { durationMs } from './common.ts';

export const dedupSchema = z
  .object({
    /**
     * How long an idempotency key is remembered. It must outlast the longest a
     * record can wait before it is replayed (downtime + lag) and CXone's own
     * Idempotency-Key lifetime; see docs/exactly-once.md "Exactly once".
     */
    windowMs: durationMs.min(60_000).default(7 * 24 * 3_600_000),
    /**
     * A guard for the container's memory, not the window: entries held across owned partitions,
     * about 32 bytes each outside the heap (docs/dedup-store.md "Dedup store"). Past it the oldest are forgotten
     * (the metric and an alert say so); CXone's Idempotency-Key still absorbs a repeat of those.
     */
    maxEntries: z.number().int().min(1000).default(5_000_000),
    restoreTimeoutMs: durationMs.min(1000).default(120_000),
    /**
     * A folder for local checkpoints of the dedup store (a persistent volume under the chart's
     * statefulset mode). A restart with its checkpoints restores only the dedup topic's tail.
     * Unset: no checkpoints, every claim reads the partition's whole retained history.
     */
    stateDir: z.string().min(1).optional(),
    /**
     * How often an owned partition's dedup state is checkpointed to dedup.stateDir, at a commit
     * boundary: a restart reads at most this much traffic of the dedup topic. Each checkpoint
     * writes the partition's table whole (20 bytes a slot; docs/dedup-store.md "Dedup store").
     */
    checkpointIntervalMs: durationMs.min(100).default(60_000),
    /**
     * Standby checkpoints (with dedup.stateDir): this often, the local checkpoint of every
     * partition this instance does not own is brought up to date from the dedup topic, one at a
     * time, so taking over one whose owner never returns reads only a tail. It costs one
     * partition's table in memory while it runs, and the reads. Unset: off.
     */
    standbyIntervalMs: durationMs.min(1000).optional(),
  })
  .strict();

export const processingSchema = z
  .object({
    /** How many records of one partition may be in flight at once (distinct keys only). */
    maxInFlightPerPartition: z.number().int().min(1).max(10_000).default(32),
    /** How many records may be in flight at once across all partitions of the instance. */
    maxInFlight: z.number().int().min(1).max(100_000).default(256),
    /** Unfinished records one partition may hold (queued, in flight, retrying, awaiting commit) before it is paused. */
    maxBufferedPerPartition: z.number().int().min(1).max(1_000_000).default(256),
    /** The same across all partitions, in records and in bytes of record keys and values. */
    maxBufferedRecords: z.number().int().min(1).default(4_096),
    maxBufferedBytes: z.number().int().min(1024).default(33_554_432),
    /** Records per Kafka transaction: bounds what a crash throws away and how big one commit is. */
    maxRecordsPerCommit: z.number().int().min(1).max(100_000).default(500),
    /**
     * A record that still fails retryably after the CXone client's own retries (an outage, the
     * registry down) is retried after this, doubling up to recordRetryMaxMs; only later records
     * of its key wait for it.
     */
    recordRetryInitialMs: durationMs.min(1).default(1_000),
    recordRetryMaxMs: durationMs.min(1).default(30_000),
    /** How long a partition rests after a failed claim or commit before it is claimed again. */
    failureBackoffMs: durationMs.default(5_000),
    /** On shutdown, how long records in flight may take to finish before they are cut off (and replayed later). */
    drainTimeoutMs: durationMs.default(30_000),
    maxPayloadBytes: z.number().int().min(1).default(102_400),
    /** An event no route matches: `dlq` dead-letters it (NO_ROUTE), `skip` writes an UNROUTED audit record. */
    unrouted: z.enum(UNROUTED_POLICIES).default('dlq'),
    /**
     * A record fault (bad bytes, a mapping error, a 400 about this record): `dlq` dead-letters it and
     * the partition moves on; `hold` stops the partition at it (nothing after it is committed) until
     * an operator fixes the cause or switches to dlq, and restarts.
     */
    onRecordFault: z.enum(['dlq', 'hold']).default('dlq'),
    /**
     * Events older than this, by the route's own timestamp field (else the Kafka timestamp), make no
     * CXone call and get an EXPIRED result and audit record. Unset: no bound.
     */
    maxEventAgeMs: durationMs.min(1).optional(),
    /** While a route is blocked by a configuration fault, one of its records tries for real this often. */
    configFaultProbeMs: durationMs.min(100).default(5_000),
  })
  .strict()
  .refine((p) => p.recordRetryMaxMs >= p.recordRetryInitialMs, {
    message: 'recordRetryMaxMs must be at least recordRetryInitialMs',
    path: ['recordRetryMaxMs'],
  });
