/**
 * The benchmark's "ceiling": the product's own pipeline (the same partition
 * workers, key-ordered concurrency, limits, record processor and CXone
 * clients) with the exactly-once machinery taken out: no fencing, no dedup
 * store or topic, no transactions, no output topics. Finished records only
 * move the group's committed offset (a plain OffsetCommit), which is how the
 * benchmark measures progress the same way for every mode.
 *
 *   node bench/lib/ceiling-connector.ts --config <file>
 *
 * Not a product mode: it loses outputs by design.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createSchemaRegistry } from '../../src/output/registry-client.ts';
import { Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { compileConfig } from '../../src/config/compile-config.ts';
import { loadConfigFile } from '../../src/config/load-config.ts';
import { createCxoneClients } from '../../src/cxone/cxone-clients.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { kafkajsLogCreator } from '../../src/observability/kafkajs-logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { startOpsServer } from '../../src/observability/http-server.ts';
import { buildRecordProcessor } from '../../src/pipeline/build-record-processor.ts';
import { createRouteBlocks } from '../../src/pipeline/route-blocks.ts';
import { positionFrom } from '../../src/source/partition-claims.ts';
import { createInputConsumer, runInputConsumer } from '../../src/source/input-consumer.ts';
import { createPartitionSupervisor } from '../../src/source/partition-supervisor.ts';
import { createTimerSet } from '../../src/source/timer-set.ts';

const { values } = parseArgs({ options: { config: { type: 'string' } } });
const config = loadConfigFile(values.config ?? '', process.env);
const options = compileConfig(config);
const logger = createLogger({ level: config.observability.logLevel, name: 'ceiling' });
const metrics = createMetrics(new Registry(), false);
const kafka = new Kafka({
  clientId: 'ceiling',
  brokers: config.kafka.brokers,
  logCreator: kafkajsLogCreator(logger),
});
const admin = kafka.admin();
await admin.connect();
const registry = createSchemaRegistry(options.registry);
const clients = createCxoneClients(options.cxone, { metrics, now: Date.now });
const processRecord = await buildRecordProcessor(options.processor, {
  registry,
  registryEndpoint: options.registry,
  clients,
  dedup: { get: () => undefined },
  routeBlocks: createRouteBlocks(options.routeBlocks, { now: Date.now, logger, metrics }),
  metrics,
  logger,
  version: 'ceiling',
  instanceId: randomUUID(),
  now: Date.now,
});
const consumer = createInputConsumer(kafka, options.consumer);
const timers = createTimerSet();
const supervisor = createPartitionSupervisor({
  claim: async (topic, partition) => {
    const [offsets] = await admin.fetchOffsets({ groupId: config.kafka.groupId, topics: [topic] });
    const found = offsets?.partitions.find((p) => p.partition === partition);
    return positionFrom(found?.offset ?? '-1', null, () => undefined);
  },
  commit: (topic, partition, commit) =>
    consumer.commitOffsets([{ topic, partition, offset: commit.nextOffset.toString() }]),
  processRecord,
  dedup: { remember: (_scope, key, entry) => ({ key, entry, previous: undefined }) },
  consumer,
  limits: options.limits,
  metrics,
  logger,
  now: Date.now,
  schedule: timers.schedule,
});
await runInputConsumer(consumer, options.consumer, supervisor);
// The same /metrics as the product, so the benchmark reads the same stage timings from both.
const ops = await startOpsServer(
  metrics.registry,
  { state: () => 'running' },
  { host: config.observability.metricsHost, port: config.observability.metricsPort },
);
logger.info('ceiling pipeline running');

process.once('SIGTERM', () => {
  void (async () => {
    await supervisor.drain(5_000);
    supervisor.retireAll();
    await consumer.disconnect();
    timers.clear();
    await admin.disconnect();
    await clients.close();
    await ops.close();
    process.exit(0);
  })();
});
