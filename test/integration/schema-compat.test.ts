/**
 * Output schema evolution against the real registry: every kept version of each
 * output schema, then the current one, registered under a subject with
 * compatibility BACKWARD. The registry refusing the current schema would mean a
 * change that breaks readers of the audit/results topics.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { testStack } from '../support/stack-env.ts';

const stack = testStack();
const schemas = new URL('../../schemas/', import.meta.url);
const CONTENT_TYPE = { 'content-type': 'application/vnd.schemaregistry.v1+json' };

async function call(method: string, path: string, body: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(`${stack.registryUrl}${path}`, {
    method,
    headers: CONTENT_TYPE,
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

async function register(subject: string, schema: string): Promise<{ status: number; text: string }> {
  return call('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema, schemaType: 'AVRO' });
}

describe('output schemas on the real registry (compatibility BACKWARD)', { timeout: 45_000 }, () => {
  for (const name of ['cxone-result', 'cxone-audit', 'cxone-dedup-entry']) {
    it(`${name}: history versions then the current one register under BACKWARD`, async () => {
      const subject = `compat-${name}-${Date.now().toString(36)}-value`;
      // The subject must exist before its config can be set on some registries; the first version creates it.
      const history = new URL(`history/${name}/`, schemas);
      const versions = readdirSync(history)
        .filter((f) => /^v\d+\.avsc$/.test(f))
        .sort((a, b) => Number(a.slice(1, -5)) - Number(b.slice(1, -5)));
      const set = await call('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: 'BACKWARD' });
      assert.ok(set.status < 300, `PUT /config: ${set.status} ${set.text}`);
      for (const version of versions) {
        const result = await register(subject, readFileSync(new URL(version, history), 'utf8'));
        assert.ok(result.status < 300, `${version}: ${result.status} ${result.text}`);
      }
      const current = await register(subject, readFileSync(new URL(`${name}.avsc`, schemas), 'utf8'));
      assert.ok(current.status < 300, `current: ${current.status} ${current.text}`);
    });
  }

  it('refuses a change that is not BACKWARD-compatible (the rule is really enforced)', async () => {
    const subject = `compat-breaking-${Date.now().toString(36)}-value`;
    await call('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: 'BACKWARD' });
    const text = readFileSync(new URL('cxone-result.avsc', schemas), 'utf8');
    assert.ok((await register(subject, text)).status < 300);
    const broken = JSON.parse(text) as { fields: unknown[] };
    broken.fields.push({ name: 'mandatory', type: 'string' }); // no default: old data cannot be read
    const result = await register(subject, JSON.stringify(broken));
    assert.equal(result.status, 409, result.text);
  });
});
