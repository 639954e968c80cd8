/**
 * The audit chain's own cost, apart from everything else the connector does:
 * CPU to seal audit records into their chain at commit (one SHA-256 and the
 * appended fields per record, an Ed25519 checkpoint every 1,000), per 10,000
 * records in commits of the benchmark's typical size; and how fast the
 * verifier judges records once read (decode under the v4 schema, the bytes
 * hashed, every check). In-process and Kafka-free: the record bytes are the
 * connector's own encoding of realistic audit records. Compare the seal cost
 * with the connector's CPU per 10,000 events in `npm run bench -- --modes full`.
 *
 *   node bench/audit-chain.ts [--records 200000] [--commit 96] [--json out.json]
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import avro from 'avsc';
import { chainStateAt } from '../src/audit/chain-writer.ts';
import type { Checkpoint } from '../src/audit/checkpoint.ts';
import { verifyChains, type ReadAuditRecord } from '../src/audit/verify-chain.ts';
import { emptyOutputs } from '../src/contracts/records.ts';
import { createWireEncoder } from '../src/decode/wire-format.ts';
import { sealAuditRecords } from '../src/output/audit-sealing.ts';
import { readSchemaFile, withoutLast } from '../src/output/output-schemas.ts';
import { chainedRecord, type Decoded } from '../src/verify/audit-verify.ts';
import { AUDIT_CHAIN_FIELDS, buildAudit, type AuditRecord } from '../src/output/output-records.ts';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    commit: { type: 'string', default: '96' },
    json: { type: 'string' },
  },
});
const records = Number(values.records);
const perCommit = Number(values.commit);

// The encoding the connector uses: the schema without its chain fields, which sealing appends.
const schemaText = readSchemaFile('cxone-audit');
const sealedType = avro.Type.forSchema(JSON.parse(schemaText) as avro.Schema);
const encode = createWireEncoder<AuditRecord>(withoutLast(schemaText, AUDIT_CHAIN_FIELDS), 42);

const now = Date.now();
const values_ = Array.from({ length: records }, (_, i) => {
  const eventId = `evt-${i.toString(36)}-0000-4000-8000-000000000000`;
  return encode(
    buildAudit(
      {
        idempotencyKey: `welcome:${eventId}`,
        cxoneIdempotencyKey: `welcome:${eventId}`,
        eventId,
        eventType: 'signup',
        route: 'welcome',
        actionType: 'JOURNEY_TRIGGER',
        targetId: 'j-welcome',
        contactId: `hmac-sha256:${'ab'.repeat(32)}`,
        serializedBody: `{"contactId":"c-${i}","directives":{"plan":"gold"}}`,
        eventTimestamp: now - 1000,
      },
      { outcome: 'ACCEPTED', attempts: 1, latencyMs: 12.3, httpStatus: 202 },
      {
        source: { topic: 'cdp.events', partition: 0, offset: String(i) },
        processedAt: now + i,
        connectorVersion: '0.1.0',
        instanceId: 'cxone-connector-0',
        schemaId: 7,
      },
    ),
  );
});

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const policy = { every: 1000, intervalMs: 60_000, signer: { keyId: 'k', privateKey } };
let state = chainStateAt();
const sealed: Buffer[] = [];
const checkpoints: Checkpoint[] = [];
// The commits as the worker hands them over, built before the clock starts: only sealing is timed.
const commits = [];
for (let i = 0; i < records; i += perCommit)
  commits.push(
    values_.slice(i, i + perCommit).map((value) => {
      const o = emptyOutputs();
      o.audit.push({ key: 'k', value });
      return o;
    }),
  );
const sealedCommits = [];
const cpuBefore = process.cpuUsage();
const started = performance.now();
for (const outputs of commits) {
  const commit = sealAuditRecords('cdp.events/0', state, outputs, now, policy);
  state = commit.state;
  sealedCommits.push(commit);
}
const sealCpu = process.cpuUsage(cpuBefore);
const sealMs = performance.now() - started;
for (const commit of sealedCommits) {
  for (const o of commit.outputs) for (const m of o.audit) sealed.push(m.value as Buffer);
  for (const c of commit.checkpoints) checkpoints.push(JSON.parse(String(c.value)) as Checkpoint);
}
const sealCpuSPer10k = ((sealCpu.user + sealCpu.system) / 1e6 / records) * 10_000;

const verifyStarted = performance.now();
// As audit verify reads them: decoded under v4 (here by avsc itself, not the registry client).
const read = sealed.map(
  (value, offset) =>
    chainedRecord(sealedType.fromBuffer(value.subarray(5)) as Decoded, {
      partition: 0,
      offset: String(offset),
      value,
    }) as ReadAuditRecord,
);
const report = verifyChains(
  read,
  checkpoints.map((c, i) => ({ ...c, partition: 0, offset: String(i) })),
  new Map([['k', publicKey]]),
);
const verifyS = (performance.now() - verifyStarted) / 1000;
if (report.divergences.length > 0)
  throw new Error(`the bench's own chain does not verify: ${report.divergences[0]?.detail}`);

const summary = {
  records,
  records_per_commit: perCommit,
  audit_record_bytes: Math.round(sealed.reduce((n, v) => n + v.length, 0) / records),
  chain_bytes_per_record: Math.round(
    (sealed.reduce((n, v) => n + v.length, 0) - values_.reduce((n, v) => n + v.length, 0)) / records,
  ),
  seal_cpu_s_per_10k: Math.round(sealCpuSPer10k * 10_000) / 10_000,
  seal_us_per_record: Math.round((sealMs * 1000 * 100) / records) / 100,
  checkpoints: checkpoints.length,
  verify_records_per_s: Math.round(records / verifyS),
};
console.log(JSON.stringify(summary, null, 2));
if (values.json) writeFileSync(values.json, `${JSON.stringify(summary, null, 2)}\n`);
