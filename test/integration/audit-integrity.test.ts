/**
 * The audit trail on the real stack, against an attacker with Write on the
 * audit topics. 2,000 events go through the real `cxone-connector run`, which
 * is SIGKILLed while writing and restarted: the chains continue, not fork, and
 * `cxone-connector audit verify` passes them (exit 0). Then each tampering is
 * found and named by the check that should find it: a forged record appended
 * with a valid-looking link (once the real writer continues), an edited copy
 * re-published, a span deleted from a copy of the topic, two records
 * re-ordered in a copy, and an old checkpoint replayed (exit 1).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Partitioners, type Kafka } from 'kafkajs';
import { generateEvents, produceEvents } from '../../devkit/cdp-events.ts';
import { groupLag } from '../../devkit/group-lag.ts';
import { STACK_AUDIT_SIGNING_KEY } from '../../devkit/stack-connector-config.ts';
import { avroString, chainLink, extendChain } from '../../src/audit/audit-chain.ts';
import { keyIdOf } from '../../src/audit/checkpoint.ts';
import type { ConnectorConfig } from '../../src/config/schema.ts';
import { createTopics } from '../../src/kafka/create-topics.ts';
import { readTopicToEnd, type ReadRecord } from '../../src/replay/read-topic.ts';
import { runAuditVerify } from '../../src/verify/audit-verify.ts';
import { createHarness, type Harness } from '../support/connector-harness.ts';
import { startConnectorProcess, type ConnectorProcess } from '../support/connector-process.ts';
import { simClient } from '../support/sim-client.ts';
import { testStack } from '../support/stack-env.ts';
import { waitFor } from '../support/wait-for.ts';

const stack = testStack();
const sim = simClient(stack.simUrl);
const root = new URL('../../', import.meta.url).pathname;
const publicKey = createPublicKey(STACK_AUDIT_SIGNING_KEY);
const keys = new Map([[keyIdOf(publicKey), publicKey]]);

interface Chained {
  record: ReadRecord;
  chain: string;
  chainSeq: number;
  prevHash: string;
  recordHash: string;
}

function configFor(harness: Harness): ConnectorConfig {
  const { config } = harness;
  return {
    ...config,
    kafka: { ...config.kafka, instanceId: 'pod-0' },
    processing: { ...config.processing, maxInFlightPerPartition: 4, maxRecordsPerCommit: 40 },
    audit: { ...config.audit, checkpointEvery: 100 },
  };
}

/** `cxone-connector audit verify --json` as a child process, against `config`'s topics. */
function verifyCli(
  config: ConnectorConfig,
): Promise<{ code: number; json: { verified: boolean } & Record<string, unknown> }> {
  const dir = mkdtempSync(join(tmpdir(), 'audit-verify-'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  writeFileSync(join(dir, 'public.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  const args = [
    'src/cli.ts',
    'audit',
    'verify',
    '--config',
    join(dir, 'config.json'),
    '--public-key',
    join(dir, 'public.pem'),
    '--json',
  ];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: root }, (error, stdout, stderr) => {
      const code = error ? Number((error as { code?: number }).code ?? 1) : 0;
      assert.ok(stdout.trim().startsWith('{'), `stdout: ${stdout}\nstderr: ${stderr}`);
      resolve({ code, json: JSON.parse(stdout) as { verified: boolean } });
    });
  });
}

/** The first divergence verify names when the audit topic is `audit` and the checkpoints `checkpoints`. */
async function firstDivergence(harness: Harness, audit: string, checkpoints: string) {
  const result = await runAuditVerify(harness.kafka, new SchemaRegistry({ host: stack.registryUrl }), {
    auditTopic: audit,
    checkpointsTopic: checkpoints,
    keys,
    groupPrefix: harness.config.kafka.groupId,
  });
  return result.report.divergences[0];
}

/** A copy of a topic, partition by partition in the same order, with `change` applied to each partition's records. */
const copies: string[] = [];

async function copyTopic(
  kafka: Kafka,
  records: readonly ReadRecord[],
  topic: string,
  partitions: number,
  change: (partition: number, records: ReadRecord[]) => ReadRecord[] = (_, r) => r,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await createTopics(admin, [{ topic, numPartitions: partitions }]);
  copies.push(topic);
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  for (let p = 0; p < partitions; p++) {
    const messages = change(
      p,
      records.filter((r) => r.partition === p),
    ).map((r) => ({ key: r.key, value: r.value, partition: p }));
    if (messages.length > 0) await producer.send({ topic, messages });
  }
  await producer.disconnect();
}

describe('audit integrity on the real stack', { timeout: 170_000 }, () => {
  it('chains survive a SIGKILL and verify clean; each tampering is found and named', async () => {
    const harness = await createHarness(stack, 2);
    const registry = new SchemaRegistry({ host: stack.registryUrl });
    const config = configFor(harness);
    const lag = () => groupLag(harness.admin, config.kafka.groupId, harness.input);
    const processes: ConnectorProcess[] = [];
    try {
      await sim.setFaults({ latencyMs: 20 });
      const first = generateEvents({ count: 1500, contacts: 19, prefix: `ai-${harness.id}` });
      await produceEvents(harness.kafka, stack.registryUrl, harness.input, first);
      processes.push(startConnectorProcess(config));
      await waitFor(
        'progress before the SIGKILL',
        async () => ((await lag()) < 1100 ? true : undefined),
        60_000,
      );
      processes[0]?.child.kill('SIGKILL');
      await processes[0]?.exited;
      await sim.setFaults({ latencyMs: 0 });
      processes.push(startConnectorProcess(config));
      await waitFor(
        'the restarted instance finishes',
        async () => ((await lag()) === 0 ? true : undefined),
        60_000,
      );

      // 1. A forged record appended with a valid-looking link, at the head of the chain of input partition 0.
      const decode = async (r: ReadRecord): Promise<Chained> => ({
        record: r,
        ...((await registry.decode(r.value as Buffer)) as Omit<Chained, 'record'>),
      });
      const before = await Promise.all(
        (await readTopicToEnd(harness.kafka, harness.topics.audit)).map(decode),
      );
      const chainA = `${harness.input}/0`;
      const head = before.filter((c) => c.chain === chainA).sort((a, b) => b.chainSeq - a.chainSeq)[0];
      assert.ok(head);
      const value = head.record.value as Buffer;
      const tail =
        chainLink(head.chain, head.chainSeq, head.prevHash).length + avroString(head.recordHash).length;
      const [forged] = extendChain(
        chainA,
        { seq: head.chainSeq, hash: head.recordHash },
        [value.subarray(0, value.length - tail)],
        5,
      ).values;
      const attacker = harness.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await attacker.connect();
      await attacker.send({
        topic: harness.topics.audit,
        messages: [{ key: head.record.key, value: forged as Buffer, partition: head.record.partition }],
      });
      await attacker.disconnect();
      // The real writer goes on: 500 more events.
      const second = generateEvents({ count: 500, contacts: 19, prefix: `ai2-${harness.id}` });
      await produceEvents(harness.kafka, stack.registryUrl, harness.input, second);
      await waitFor('the second batch is done', async () => ((await lag()) === 0 ? true : undefined), 60_000);

      const read = await readTopicToEnd(harness.kafka, harness.topics.audit);
      const all = await Promise.all(read.map(decode));
      const forgedAt = all.find((c) => c.record.value?.equals(forged as Buffer));
      assert.ok(forgedAt, 'the forged record is in the topic');
      const d1 = await firstDivergence(harness, harness.topics.audit, harness.topics.auditCheckpoints);
      assert.equal(d1?.chain, chainA);
      assert.ok(['duplicate', 'order'].includes(d1?.check ?? ''), JSON.stringify(d1));
      assert.equal(d1?.chainSeq, head.chainSeq + 1);

      // The topic without the forged record: what the connector wrote, across the SIGKILL.
      const genuine = read.filter((r) => r !== forgedAt.record);
      const clean = `${harness.topics.audit}.clean`;
      await copyTopic(harness.kafka, genuine, clean, 2);
      const cleanConfig = {
        ...config,
        kafka: { ...config.kafka, topics: { ...config.kafka.topics, audit: clean } },
      };
      const verified = await verifyCli(cleanConfig);
      assert.equal(verified.code, 0, JSON.stringify(verified.json, null, 2).slice(0, 3000));
      const chains = verified.json.chains as {
        chain: string;
        records: number;
        firstSeq: number;
        lastSeq: number;
        checkpoints: number;
      }[];
      assert.equal(chains.length, 2);
      assert.equal(
        chains.reduce((n, c) => n + c.records, 0),
        2000,
        'one audit record per event',
      );
      for (const c of chains) {
        // Continued, not forked: one record per sequence from 0, across the SIGKILL.
        assert.equal(c.firstSeq, 0);
        assert.equal(c.lastSeq, c.records - 1);
        assert.ok(c.checkpoints >= Math.floor(c.records / 100), JSON.stringify(c));
      }

      // 2. An edited copy of a record re-published.
      const victim = genuine.find((r) => r.partition === 1) as ReadRecord;
      const { idempotencyKey } = (await registry.decode(victim.value as Buffer)) as {
        idempotencyKey: string;
      };
      const edited = Buffer.from(victim.value as Buffer);
      const at = edited.indexOf(Buffer.from(idempotencyKey)) + idempotencyKey.length - 1;
      edited[at] = (edited[at] as number) ^ 0x01; // the last letter of its idempotency key
      const editedTopic = `${harness.topics.audit}.edited`;
      await copyTopic(harness.kafka, genuine, editedTopic, 2, (p, rs) =>
        p === 1 ? [...rs, { ...victim, value: edited }] : rs,
      );
      const d2 = await firstDivergence(harness, editedTopic, harness.topics.auditCheckpoints);
      assert.equal(d2?.check, 'record-hash', JSON.stringify(d2));
      assert.equal(d2?.partition, 1);
      assert.equal(d2?.offset, String(genuine.filter((r) => r.partition === 1).length));

      // 3. A span deleted: a copy of the topic without sequences 200..219 of chain A.
      const inA = (r: ReadRecord) => all.find((c) => c.record === r)?.chain === chainA;
      const seqOf = (r: ReadRecord) => all.find((c) => c.record === r)?.chainSeq ?? -1;
      const gapTopic = `${harness.topics.audit}.gap`;
      await copyTopic(harness.kafka, genuine, gapTopic, 2, (_, rs) =>
        rs.filter((r) => !(inA(r) && seqOf(r) >= 200 && seqOf(r) < 220)),
      );
      const d3 = await firstDivergence(harness, gapTopic, harness.topics.auditCheckpoints);
      assert.deepEqual([d3?.chain, d3?.check, d3?.chainSeq], [chainA, 'gap', 220]);

      // 4. Two records re-ordered in a copy.
      const swapTopic = `${harness.topics.audit}.swapped`;
      await copyTopic(harness.kafka, genuine, swapTopic, 2, (_, rs) => {
        const i = rs.findIndex((r) => inA(r) && seqOf(r) === 300);
        if (i < 0) return rs;
        const out = [...rs];
        [out[i], out[i + 1]] = [out[i + 1] as ReadRecord, out[i] as ReadRecord];
        return out;
      });
      const d4 = await firstDivergence(harness, swapTopic, harness.topics.auditCheckpoints);
      assert.deepEqual([d4?.chain, d4?.check], [chainA, 'order']);

      // 5. An old checkpoint replayed, appended to a copy of the checkpoints topic.
      const checkpoints = await readTopicToEnd(harness.kafka, harness.topics.auditCheckpoints);
      const old = checkpoints.find(
        (r) => (JSON.parse(String(r.value)) as { chain: string }).chain === chainA,
      ) as ReadRecord;
      const replayTopic = `${harness.topics.auditCheckpoints}.replayed`;
      const checkpointPartitions = Math.max(...checkpoints.map((r) => r.partition)) + 1;
      await copyTopic(harness.kafka, checkpoints, replayTopic, checkpointPartitions, (p, rs) =>
        p === old.partition ? [...rs, old] : rs,
      );
      const d5 = await firstDivergence(harness, clean, replayTopic);
      assert.deepEqual([d5?.chain, d5?.check], [chainA, 'checkpoint-extends']);
      const replayConfig = {
        ...cleanConfig,
        kafka: {
          ...cleanConfig.kafka,
          topics: { ...cleanConfig.kafka.topics, auditCheckpoints: replayTopic },
        },
      };
      const refused = await verifyCli(replayConfig);
      assert.equal(refused.code, 1);
      assert.equal(refused.json.verified, false);
    } finally {
      await sim.setFaults({ latencyMs: 0 });
      for (const p of processes) p.child.kill('SIGTERM');
      await Promise.all(processes.map((p) => p.exited));
      await harness.admin.deleteTopics({ topics: copies }).catch(() => undefined);
      await harness.close();
    }
  });
});
