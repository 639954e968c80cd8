import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every metric of the connector, declared once on an injected registry.
 * Labels are bounded: topic, outcome, error code, status class; never an id.
 */
export interface ConnectorMetrics {
  registry: Registry;
  recordsConsumed: Counter<'topic'>;
  outcomes: Counter<'route' | 'outcome'>;
  errors: Counter<'stage' | 'code'>;
  cxoneRequests: Counter<'endpoint' | 'status_class'>;
  cxoneRequestSeconds: Histogram<'endpoint'>;
  recordSeconds: Histogram<'route'>;
  batchesCommitted: Counter<'topic'>;
}

export function createMetrics(registry: Registry = new Registry(), withDefaults = true): ConnectorMetrics {
  if (withDefaults) collectDefaultMetrics({ register: registry, prefix: 'cxone_connector_' });
  const registers = [registry];
  return {
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
    errors: new Counter({
      name: 'cxone_connector_errors_total',
      help: 'Errors by stage and stable error code',
      labelNames: ['stage', 'code'],
      registers,
    }),
    cxoneRequests: new Counter({
      name: 'cxone_connector_cxone_requests_total',
      help: 'HTTP requests sent to CXone',
      labelNames: ['endpoint', 'status_class'],
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
  };
}
