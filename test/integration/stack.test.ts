// The local real stack itself: a broker that can be stopped, crashed and
// restarted on the same port with its data, and a registry that speaks the
// Confluent-compatible API. It starts its own stack in a temp dir, next to
// the suite's shared one.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';
import {
  connectStack,
  readStackState,
  stackHealth,
  startStack,
  type StackHandle,
} from '../../devkit/stack/index.ts';
import { isListening } from '../../devkit/stack/ports.ts';
import { createTopics } from '../../src/kafka/create-topics.ts';
import { writeTestLog } from '../support/test-log.ts';

const topic = 'stack-test';

/** Local addresses (hex, as in /proc/net/tcp*) of the sockets listening on port. */
function listenAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((cols) => cols[3] === '0A' && cols[1]?.endsWith(`:${hexPort}`))
      .map((cols) => (cols[1] ?? '').split(':')[0] ?? ''),
  );
}
// 127.0.0.1, plain or IPv4-mapped in IPv6, as the kernel prints them.
const loopback = new Set(['0100007F', '0000000000000000FFFF00000100007F']);

describe('local stack', { timeout: 65_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxone-stack-test-'));
  let stack: StackHandle;
  let kafka: Kafka;

  before(async () => {
    stack = await startStack({ dir, log: (line) => writeTestLog(`[stack] ${line}`) });
    kafka = new Kafka({
      clientId: 'stack-test',
      brokers: [stack.kafka.bootstrap],
      logLevel: logLevel.NOTHING,
    });
  });

  after(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function produce(values: string[]): Promise<void> {
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value })) });
    } finally {
      await producer.disconnect();
    }
  }

  async function highWatermark(): Promise<string> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [partition] = await admin.fetchTopicOffsets(topic);
      return partition?.high ?? 'none';
    } finally {
      await admin.disconnect();
    }
  }

  it('listens on loopback only and records itself in state.json', async () => {
    assert.match(stack.kafka.bootstrap, /^127\.0\.0\.1:\d+$/);
    assert.match(stack.registry.url, /^http:\/\/127\.0\.0\.1:\d+\/apis\/ccompat\/v7$/);
    const state = await readStackState(dir);
    assert.ok(state);
    for (const port of [state.kafka.port, state.kafka.controllerPort, state.registry.port]) {
      const addresses = listenAddresses(port);
      assert.ok(addresses.length > 0, `something listens on ${port}`);
      assert.ok(
        addresses.every((a) => loopback.has(a)),
        `port ${port} bound to ${addresses.join(', ')}`,
      );
    }
    assert.equal(state.kafka.bootstrap, stack.kafka.bootstrap);
    assert.deepEqual(stackHealth(state), { kafka: true, registry: true });
    const other = await connectStack(dir);
    assert.equal(other.registry.url, stack.registry.url);
  });

  it('serves the Confluent-compatible registry API', async () => {
    const registry = new SchemaRegistry({ host: stack.registry.url });
    const schema = JSON.stringify({
      type: 'record',
      name: 'Probe',
      namespace: 'stack.test',
      fields: [{ name: 'id', type: 'string' }],
    });
    const { id } = await registry.register({ type: SchemaType.AVRO, schema }, { subject: 'probe-value' });
    const encoded = await registry.encode(id, { id: 'p-1' });
    assert.equal(encoded[0], 0, 'Confluent wire format starts with magic byte 0');
    const decoded: unknown = await new SchemaRegistry({ host: stack.registry.url }).decode(encoded);
    assert.deepEqual({ ...(decoded as object) }, { id: 'p-1' });
  });

  it('restarts Kafka on the same port with its data, after a graceful stop and after a crash', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await createTopics(admin, [{ topic, numPartitions: 1 }]);
    await admin.disconnect();
    await produce(['a', 'b']);
    assert.equal(await highWatermark(), '2');

    const { bootstrap, port } = stack.kafka;
    await stack.stopKafka();
    assert.equal(await isListening(port), false, 'broker port closed after stopKafka');
    await stack.startKafka();
    assert.equal(stack.kafka.bootstrap, bootstrap);
    assert.equal(await highWatermark(), '2');
    await produce(['c']);

    await stack.killKafka();
    assert.equal(await isListening(port), false, 'broker port closed after killKafka');
    await stack.startKafka();
    assert.equal(await highWatermark(), '3');
  });
});
