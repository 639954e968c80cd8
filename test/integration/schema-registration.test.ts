/**
 * Output schema registration on the real registry, as replicas do it at
 * start: several at the same moment on fresh subjects, and subjects whose
 * compatibility is stricter or weaker than BACKWARD.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { registerOutputSchema, type OutputSchemaName } from '../../src/output/output-schemas.ts';
import { subjectCompatibility } from '../../src/output/subject-compatibility.ts';
import { testStack } from '../support/stack-env.ts';

const stack = testStack();
const NAMES: OutputSchemaName[] = ['cxone-result', 'cxone-audit', 'cxone-dedup-entry'];
const endpoint = () => ({ url: stack.registryUrl, requestTimeoutMs: 10_000 });

async function setLevel(subject: string, compatibility: string): Promise<void> {
  const response = await fetch(`${stack.registryUrl}/config/${encodeURIComponent(subject)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ compatibility }),
  });
  assert.ok(response.ok, `PUT /config/${subject}: ${response.status} ${await response.text()}`);
}

describe('output schema registration on the real registry', { timeout: 45_000 }, () => {
  it('six replicas starting at the same moment on fresh subjects all register, with the same ids', async () => {
    const prefix = `race-${Date.now().toString(36)}`;
    const replicas = Array.from({ length: 6 }, () => ({
      registry: new SchemaRegistry({ host: stack.registryUrl }),
      endpoint: endpoint(),
    }));
    const outcomes = await Promise.allSettled(
      replicas.flatMap((target) =>
        NAMES.map((name) => registerOutputSchema(target, name, `${prefix}.${name}`)),
      ),
    );
    const failed = outcomes.filter((o) => o.status === 'rejected');
    assert.deepEqual(
      failed.map((f) => String(f.reason)),
      [],
    );
    const ids = outcomes.map((o) => (o as PromiseFulfilledResult<{ schemaId: number }>).value.schemaId);
    for (let i = 0; i < NAMES.length; i++) {
      const forName = ids.filter((_, j) => j % NAMES.length === i);
      assert.equal(new Set(forName).size, 1, `one id for ${NAMES[i]}: ${forName.join(',')}`);
    }
    for (const name of NAMES) {
      const { level } = await subjectCompatibility(endpoint(), `${prefix}.${name}-value`);
      assert.ok(
        ['BACKWARD', 'BACKWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE'].includes(level),
        `${name}: ${level}`,
      );
    }
  });

  for (const level of ['BACKWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE']) {
    it(`a subject already at ${level} is accepted and keeps its level`, async () => {
      const topic = `strict-${level.toLowerCase()}-${Date.now().toString(36)}`;
      const subject = `${topic}-value`;
      await setLevel(subject, level);
      const warnings: string[] = [];
      const target = { registry: new SchemaRegistry({ host: stack.registryUrl }), endpoint: endpoint() };
      const encoder = await registerOutputSchema(
        { ...target, warn: (m) => warnings.push(m) },
        'cxone-audit',
        topic,
      );
      assert.ok(encoder.schemaId > 0);
      assert.deepEqual(warnings, []);
      assert.equal((await subjectCompatibility(endpoint(), subject)).level, level);
    });
  }

  it('a subject at NONE is used, with a warning that says readers are not protected', async () => {
    const topic = `weak-${Date.now().toString(36)}`;
    const warnings: string[] = [];
    const target = { registry: new SchemaRegistry({ host: stack.registryUrl }), endpoint: endpoint() };
    // Apicurio sets NONE (drops the rule) only on a subject that exists.
    await registerOutputSchema(target, 'cxone-result', topic);
    await setLevel(`${topic}-value`, 'NONE');
    await registerOutputSchema({ ...target, warn: (m) => warnings.push(m) }, 'cxone-result', topic);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /compatibility NONE: readers of .* are not protected/);
  });
});
