import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import avro from 'avsc';
import { createPiiHasher, PII_HASH_PREFIX } from '../../../src/mapping/pii-hasher.ts';
import { buildAudit, buildResult, buildUnroutedAudit } from '../../../src/output/output-records.ts';
import { subjectName } from '../../../src/output/output-schemas.ts';

const schemas = new URL('../../../schemas/', import.meta.url);
const load = (url: URL) => avro.Type.forSchema(JSON.parse(readFileSync(url, 'utf8')) as avro.Schema);
const NAMES = ['cxone-result', 'cxone-audit', 'cxone-dedup-entry'];

describe('output schemas evolve BACKWARD-compatibly', () => {
  for (const name of NAMES) {
    const history = new URL(`history/${name}/`, schemas);
    const versions = readdirSync(history).filter((f) => /^v\d+\.avsc$/.test(f));
    it(`${name}: the current schema reads data written with every previous version (${versions.join(', ')})`, () => {
      assert.ok(versions.length > 0, 'keep every previous version in schemas/history');
      const current = load(new URL(`${name}.avsc`, schemas));
      for (const version of versions) {
        const writer = load(new URL(version, history));
        const resolver = current.createResolver(writer); // throws when not BACKWARD-compatible
        const written = writer.random() as unknown;
        const read = current.fromBuffer(writer.toBuffer(written), resolver) as Record<string, unknown>;
        for (const field of (writer as unknown as { fields: { name: string }[] }).fields)
          assert.deepEqual(read[field.name], (written as Record<string, unknown>)[field.name]);
      }
    });
  }
});

describe('the audit schema v4 (chained) stays readable by v3 readers', () => {
  it('a v3 reader reads a v4 record (FORWARD), and v4 keeps the four chain fields last', () => {
    const v3 = load(new URL('history/cxone-audit/v3.avsc', schemas));
    const v4 = load(new URL('cxone-audit.avsc', schemas));
    const fields = (v4 as unknown as { fields: { name: string }[] }).fields.map((f) => f.name);
    assert.deepEqual(fields.slice(-4), ['chain', 'chainSeq', 'prevHash', 'recordHash']);
    const written = v4.random() as unknown as Record<string, unknown>;
    const read = v3.fromBuffer(v4.toBuffer(written), v3.createResolver(v4)) as Record<string, unknown>;
    for (const field of (v3 as unknown as { fields: { name: string }[] }).fields)
      assert.deepEqual(read[field.name], written[field.name]);
    assert.equal('chain' in read, false);
  });
});

describe('subject name strategies', () => {
  const type = load(new URL('cxone-audit.avsc', schemas));
  it('names subjects per topic, per record or both', () => {
    assert.equal(subjectName('TopicNameStrategy', 'cxone.audit', type), 'cxone.audit-value');
    assert.equal(subjectName('RecordNameStrategy', 'cxone.audit', type), 'com.cxoneconnector.v1.CxoneAudit');
    assert.equal(
      subjectName('TopicRecordNameStrategy', 'cxone.audit', type),
      'cxone.audit-com.cxoneconnector.v1.CxoneAudit',
    );
  });
});

describe('audit and result records', () => {
  const ctx = {
    source: { topic: 'cdp.events', partition: 2, offset: '41' },
    processedAt: 1,
    connectorVersion: 'v',
    instanceId: 'i',
    schemaId: 7,
  };
  const effect = {
    idempotencyKey: 'welcome:e1',
    eventId: 'e1',
    eventType: 'SIGNED_UP',
    route: 'welcome',
    actionType: 'DATA_ACTION' as const,
    targetId: 'a-1',
    contactId: 'c-000001',
    serializedBody: '{"x":1}',
    eventTimestamp: null,
    cxoneIdempotencyKey: 'welcome:e1~1',
  };
  const outcome = { outcome: 'ACCEPTED' as const, attempts: 1, latencyMs: 12.4, httpStatus: 200 };
  const result = load(new URL('cxone-result.avsc', schemas));
  const audit = load(new URL('cxone-audit.avsc', schemas));

  it('hashes the audit contact id under the key, keeps it in clear in the result, and encodes with the schemas', () => {
    const pii = createPiiHasher({ hashPii: true, piiKey: 'a-long-enough-audit-key-0123456789' });
    const r = buildResult(effect, outcome, ctx, { outputs: { status: 'ok' } });
    const a = buildAudit(effect, outcome, ctx, { pii });
    assert.ok(a.contactId?.startsWith(PII_HASH_PREFIX));
    assert.doesNotMatch(a.contactId ?? '', /c-000001/);
    // The results go back to the CDP, which owns the id.
    assert.equal(r.contactId, 'c-000001');
    assert.equal(a.contactId, pii('c-000001'), 'the same id hashes the same way: a data team can join on it');
    assert.notEqual(
      a.contactId,
      createPiiHasher({ hashPii: true, piiKey: 'another-audit-key-0000000000000000' })('c-000001'),
    );
    assert.equal(
      createPiiHasher({ hashPii: true, piiSalt: 'a-long-enough-salt' })('c-000001'),
      createPiiHasher({ hashPii: true, piiKey: 'a-long-enough-salt' })('c-000001'),
      'piiSalt is the older name of the same key',
    );
    assert.equal(r.outputsJson, '{"status":"ok"}');
    assert.equal(a.sourceSchemaId, 7);
    assert.equal(a.cxoneIdempotencyKey, 'welcome:e1~1', 'the key CXone saw, when it is not the effect key');
    assert.equal(a.replayOf, null);
    assert.equal(
      buildAudit({ ...effect, cxoneIdempotencyKey: 'welcome:e1' }, outcome, ctx).cxoneIdempotencyKey,
      null,
    );
    assert.equal(
      buildAudit(effect, outcome, { ...ctx, replayOf: 'cxone.dlq/0/7' }).replayOf,
      'cxone.dlq/0/7',
    );
    assert.ok(result.isValid(r) && audit.isValid(a));
    assert.equal(buildResult(effect, outcome, ctx).contactId, 'c-000001');
  });

  it('builds an UNROUTED audit record that encodes', () => {
    const a = buildUnroutedAudit({ eventId: null, eventType: 'X' }, ctx);
    assert.equal(a.outcome, 'UNROUTED');
    assert.equal(a.eventId, 'cdp.events-2@41');
    assert.ok(audit.isValid(a));
  });
});
