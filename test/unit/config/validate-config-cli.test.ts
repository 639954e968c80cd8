import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const node = new URL('../../../node_modules/.bin/node', import.meta.url).pathname;
const cli = new URL('../../../src/cli.ts', import.meta.url).pathname;

async function validate(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(node, [cli, 'validate-config', '--config', file], {
      env: {
        PATH: process.env.PATH ?? '',
        CXONE_CLIENT_ID: 'id',
        CXONE_CLIENT_SECRET: 'secret',
        CXONE_PII_KEY: 'a-pii-key-of-at-least-32-characters',
      },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('cxone-connector validate-config (child process)', () => {
  it('exits 0 for a good file', async () => {
    const result = await validate(new URL('../../../examples/multi-route.yaml', import.meta.url).pathname);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /is valid: 4 route\(s\)/);
    assert.doesNotMatch(result.stdout, /in clear/);
  });

  it('names each risky choice a valid file makes: contact ids in clear, TLS unverified', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'risky.yaml');
    writeFileSync(
      file,
      `kafka: { brokers: ['b:9093'], ssl: { verify: false }, startFrom: latest }
registry: { url: 'https://r.example' }
cxone: { baseUrl: https://t.example, auth: { clientId: id, clientSecret: "\${env:CXONE_CLIENT_SECRET}" } }
routes: [{ name: r, journeyId: j }]
audit: { hashPii: false }
`,
    );
    const result = await validate(file);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /audit\.hashPii is false: contact ids are written to the audit topic in clear/,
    );
    assert.match(result.stdout, /kafka\.ssl\.verify is false/);
  });

  it('exits non-zero listing every problem with its path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      `kafka: { brokers: [] }
registry: { url: not-a-url }
cxone: { baseUrl: https://t.example, auth: { clientId: id, clientSecret: "\${env:CXONE_CLIENT_SECRET}" } }
routes:
  - name: bad
    journeyId: j
    when: 'properties.tier = '
    fields: { eventId: 'a.(b' }
  - name: da
    action: data-action
processing: { unrouted: sometimes }
`,
    );
    const result = await validate(file);
    assert.notEqual(result.code, 0);
    for (const expected of [
      /kafka\.brokers/,
      /registry\.url/,
      /routes\.0\.when: JSONata expression "properties.tier = " does not compile at position \d+/,
      /routes\.0\.fields\.eventId: JSONata expression "a\.\(b" does not compile at position 4/,
      /routes\.1\.actionId: a data-action route needs an actionId/,
      /routes\.1\.inputs/,
      /processing\.unrouted/,
    ])
      assert.match(result.stderr, expected);
  });
});
