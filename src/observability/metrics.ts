import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every metric of the connector, declared once on an injected registry.
 * Labels are bounded: topic, outcome, error code, status class; never an id.
 */
export interface ConnectorMetrics {
  registry: Registry;
  recordsConsumed: Counter<'topic'>;
  outcomes: Counter<'route' | 'outcome'>;
  deadLetters: Counter<'stage' | 'code'>;
  cxoneRequests: Counter<'endpoint' | 'status' | 'status_class'>;
  cxoneRequestSeconds: Histogram<'endpoint'>;
  recordSeconds: Histogram<'route'>;
  batchesCommitted: Counter<'topic'>;
  dedupEntries: Gauge;
  partitionPauses: Counter<'topic'>;
  cxoneAllowedRate: Gauge;
  cxoneRateShare: Gauge;
  buildInfo: Gauge;
  dedupMaxEntries: Gauge;
  assignedPartitions: Gauge;
  claimsKept: Counter;
  dedupRestoreReads: Counter;
  consumerLagRecords: Gauge;
  consumerLagSeconds: Gauge;
  committedOffset: Gauge;
  kafkaTokenFailures: Counter<'mechanism'>;
  cxoneLimiterWaits: Counter;
  cxoneLimiterWaitSeconds: Counter;
  cxoneBreakerState: Gauge<'state'>;
  cxoneBreakerTransitions: Counter<'state'>;
  recordRetries: Counter<'code'>;
  endToEndSeconds: Histogram;
  commitSeconds: Histogram;
  commitRecords: Histogram;
  recordsInFlight: Gauge;
  bufferedRecords: Gauge;
  bufferedBytes: Gauge;
  partitionsPaused: Gauge<'reason'>;
  blockedRoutes: Gauge<'code'>;
  routeBlocks: Counter<'route' | 'code'>;
  heldRecords: Counter<'code'>;
  outputsTrimmed: Counter<'output'>;
  transactionAborts: Counter<'reason'>;
  transactionPartitions: Histogram;
  transactionRecords: Histogram;
  rebalances: Counter;
  claimSeconds: Histogram;
  dedupRestoreSeconds: Histogram;
}

export function createMetrics(registry: Registry = new Registry(), withDefaults = true): ConnectorMetrics {
  // Under their standard names (process_*, nodejs_*), so stock Node.js dashboards find them.
  if (withDefaults) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const claimBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
  const metrics: ConnectorMetrics = {
    registry,
    recordsConsumed: new Counter({
      name: 'cxone_connector_records_consumed_total',
      help: 'Input records consumed',
      labelNames: ['topic'],
      registers,
    }),
    outcomes: new Counter({
      name: 'cxone_connector_outcomes_total',
      help: 'Per-record outcomes written to the results topic',
      labelNames: ['route', 'outcome'],
      registers,
    }),
    deadLetters: new Counter({
      name: 'cxone_connector_dead_letters_total',
      help: 'Records written to the DLQ, by the stage that refused them and the stable error code',
      labelNames: ['stage', 'code'],
      registers,
    }),
    cxoneRequests: new Counter({
      name: 'cxone_connector_cxone_requests_total',
      help: 'HTTP requests sent to CXone, by the exact status code (429, 401, …) and its class; "error" when no answer came',
      labelNames: ['endpoint', 'status', 'status_class'],
      registers,
    }),
    cxoneRequestSeconds: new Histogram({
      name: 'cxone_connector_cxone_request_seconds',
      help: 'CXone request latency',
      labelNames: ['endpoint'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    recordSeconds: new Histogram({
      name: 'cxone_connector_record_seconds',
      help: 'Time from consuming a record to its outcome',
      labelNames: ['route'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    batchesCommitted: new Counter({
      name: 'cxone_connector_batches_committed_total',
      help: 'Batches whose outputs were written and offsets committed',
      labelNames: ['topic'],
      registers,
    }),
    dedupEntries: new Gauge({
      name: 'cxone_connector_dedup_entries',
      help: 'Idempotency keys held in memory by the dedup store',
      registers,
    }),
    partitionPauses: new Counter({
      name: 'cxone_connector_partition_pauses_total',
      help: 'Times a partition was paused and claimed again after a failed claim or commit',
      labelNames: ['topic'],
      registers,
    }),
    cxoneAllowedRate: new Gauge({
      name: 'cxone_connector_cxone_allowed_requests_per_second',
      help: 'Requests/second the CXone rate limiter currently allows (drops on 429, then recovers)',
      registers,
    }),
    buildInfo: new Gauge({
      name: 'cxone_connector_build_info',
      help: 'Always 1: the connector version and the Node.js version it runs on',
      labelNames: ['version', 'node'],
      registers,
    }),
    dedupMaxEntries: new Gauge({
      name: 'cxone_connector_dedup_max_entries',
      help: 'dedup.maxEntries: the dedup store forgets its oldest entries past it',
      registers,
    }),
    cxoneRateShare: new Gauge({
      name: 'cxone_connector_cxone_rate_limit_share',
      help: "This instance's share (0..1) of cxone.rateLimit, the tenant's limit for the whole group: its fraction of the input partitions",
      registers,
    }),
    dedupRestoreReads: new Counter({
      name: 'cxone_connector_dedup_restore_records_total',
      help: 'Dedup topic records read to restore claimed partitions (what a claim costs)',
      registers,
    }),
    claimsKept: new Counter({
      name: 'cxone_connector_claims_kept_total',
      help: 'Partitions kept across a rebalance without a new claim (owned in the generation just before)',
      registers,
    }),
    assignedPartitions: new Gauge({
      name: 'cxone_connector_assigned_partitions',
      help: 'Input partitions assigned to this instance',
      registers,
    }),
    consumerLagRecords: new Gauge({
      name: 'cxone_connector_consumer_lag_records',
      help: "Records of an assigned input partition not yet committed: its last stable offset minus the group's committed offset",
      labelNames: ['topic', 'partition'],
      registers,
    }),
    committedOffset: new Gauge({
      name: 'cxone_connector_committed_offset',
      help: "The group's committed offset of an assigned input partition: a partition whose value stays put while it has lag is stuck",
      labelNames: ['topic', 'partition'],
      registers,
    }),
    kafkaTokenFailures: new Counter({
      name: 'cxone_connector_kafka_token_failures_total',
      help: 'Failed fetches of the Kafka SASL token (OAUTHBEARER from kafka.sasl.tokenUrl, or the MSK IAM signature): the brokers refuse the next connection once the token lapses',
      labelNames: ['mechanism'],
      registers,
    }),
    consumerLagSeconds: new Gauge({
      name: 'cxone_connector_consumer_lag_seconds',
      help: 'Age of the oldest unfinished record of an assigned input partition (0 when none is waiting)',
      labelNames: ['topic', 'partition'],
      registers,
    }),
    cxoneLimiterWaits: new Counter({
      name: 'cxone_connector_cxone_limiter_waits_total',
      help: 'CXone requests that had to wait for the rate limiter',
      registers,
    }),
    cxoneLimiterWaitSeconds: new Counter({
      name: 'cxone_connector_cxone_limiter_wait_seconds_total',
      help: 'Total time CXone requests spent waiting for the rate limiter',
      registers,
    }),
    cxoneBreakerState: new Gauge({
      name: 'cxone_connector_cxone_breaker_state',
      help: 'CXone circuit breaker: 1 for its current state (closed, half-open, open), 0 for the others',
      labelNames: ['state'],
      registers,
    }),
    cxoneBreakerTransitions: new Counter({
      name: 'cxone_connector_cxone_breaker_transitions_total',
      help: 'CXone circuit breaker state changes, by the state entered',
      labelNames: ['state'],
      registers,
    }),
    recordRetries: new Counter({
      name: 'cxone_connector_record_retries_total',
      help: 'Records that failed retryably after the CXone client retries and were parked for a later retry',
      labelNames: ['code'],
      registers,
    }),
    endToEndSeconds: new Histogram({
      name: 'cxone_connector_end_to_end_seconds',
      help: 'From the input record timestamp to the commit of its outputs (end to end)',
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
      registers,
    }),
    commitSeconds: new Histogram({
      name: 'cxone_connector_commit_seconds',
      help: 'Duration of one Kafka transaction (outputs + offsets)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    commitRecords: new Histogram({
      name: 'cxone_connector_commit_records',
      help: 'Input records per Kafka transaction',
      buckets: [0, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
      registers,
    }),
    recordsInFlight: new Gauge({
      name: 'cxone_connector_records_in_flight',
      help: 'Records being processed now across all partitions (bounded by processing.maxInFlight)',
      registers,
    }),
    bufferedRecords: new Gauge({
      name: 'cxone_connector_buffered_records',
      help: 'Records held between fetch and commit (bounded by processing.maxBufferedRecords)',
      registers,
    }),
    bufferedBytes: new Gauge({
      name: 'cxone_connector_buffered_bytes',
      help: 'Key and value bytes of the buffered records (bounded by processing.maxBufferedBytes)',
      registers,
    }),
    partitionsPaused: new Gauge({
      name: 'cxone_connector_partitions_paused',
      help: 'Owned input partitions not being fetched, by reason (backpressure, claiming, backoff, breaker, memory, draining)',
      labelNames: ['reason'],
      registers,
    }),
    blockedRoutes: new Gauge({
      name: 'cxone_connector_blocked_routes',
      help: 'Routes whose records wait on a configuration fault, by the fault code (CXONE_AUTH_FAILED, CXONE_FORBIDDEN, ...)',
      labelNames: ['code'],
      registers,
    }),
    routeBlocks: new Counter({
      name: 'cxone_connector_route_blocks_total',
      help: 'Times a route was blocked by a configuration fault, by route and fault code',
      labelNames: ['route', 'code'],
      registers,
    }),
    outputsTrimmed: new Counter({
      name: 'cxone_connector_outputs_trimmed_total',
      help: 'Output records over their topic max.message.bytes, written trimmed (dlq: without the value; results: without data-action outputs)',
      labelNames: ['output'],
      registers,
    }),
    transactionAborts: new Counter({
      name: 'cxone_connector_transaction_aborts_total',
      help: 'Input partitions whose commit was aborted, by reason: fenced (another producer took the transactional id), generation (the group moved on: the broker refused the offsets) or error; their records are processed again',
      labelNames: ['reason'],
      registers,
    }),
    transactionPartitions: new Histogram({
      name: 'cxone_connector_transaction_partitions',
      help: 'Input partitions committed per Kafka transaction (always 1 with kafka.fencing: partition); its _count is the transactions committed',
      buckets: [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64],
      registers,
    }),
    transactionRecords: new Histogram({
      name: 'cxone_connector_transaction_records',
      help: 'Input records committed per Kafka transaction, over all its partitions',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500],
      registers,
    }),
    rebalances: new Counter({
      name: 'cxone_connector_rebalances_total',
      help: 'Consumer group generations this instance joined (each one a rebalance)',
      registers,
    }),
    claimSeconds: new Histogram({
      name: 'cxone_connector_claim_seconds',
      help: 'Time to claim an input partition: fence the previous owner, restore its dedup partition, read the committed position',
      buckets: claimBuckets,
      registers,
    }),
    dedupRestoreSeconds: new Histogram({
      name: 'cxone_connector_dedup_restore_seconds',
      help: 'Time to restore one claimed partition from the dedup topic (part of the claim)',
      buckets: claimBuckets,
      registers,
    }),
    heldRecords: new Counter({
      name: 'cxone_connector_held_records_total',
      help: 'Record faults held instead of dead-lettered (processing.onRecordFault: hold), by code',
      labelNames: ['code'],
      registers,
    }),
  };
  // Label values known in advance start at 0: a rate() over them exists before the first event,
  // and an alert or a panel sees 0 instead of no data.
  for (const reason of ['fenced', 'generation', 'error']) metrics.transactionAborts.inc({ reason }, 0);
  for (const state of ['closed', 'half-open', 'open']) metrics.cxoneBreakerTransitions.inc({ state }, 0);
  return metrics;
}
