/**
 * No configuration problem prints a secret: secret-shaped values (brackets,
 * `#`, quotes, colons, newlines: whatever a generated password holds) go
 * through every environment override of the schema and through `${file:}`
 * references, and whatever the outcome, the value never appears in what the
 * connector says.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { envNameFor } from '../../../src/config/env-overrides.ts';
import { loadConfigText } from '../../../src/config/load-config.ts';
import { configSchema } from '../../../src/config/schema.ts';
import { ConfigError } from '../../../src/errors.ts';

const root = new URL('../../../', import.meta.url).pathname;

/** Every fixed-key leaf path of the schema (records and arrays are addressed whole). */
function leafPaths(node: unknown, path: string[] = []): string[][] {
  let current = node;
  for (;;) {
    const def = (current as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
    if (!def) return [path];
    if (['default', 'prefault', 'optional', 'nullable'].includes(def.type as string)) current = def.innerType;
    else if (def.type === 'pipe') current = def.in;
    else if (def.type === 'object') {
      return Object.entries(def.shape as Record<string, unknown>).flatMap(([key, child]) =>
        leafPaths(child, [...path, key]),
      );
    } else return [path];
  }
}

const PATHS = leafPaths(configSchema).filter((p) => p.length > 0 && p[0] !== 'routes');

const secret = fc
  .string({
    unit: fc.constantFrom(...'aZ09[]{}#:,"\'\\ \n\t$%&*!?=+-_/.<>|~`@^'.split('')),
    minLength: 14,
    maxLength: 40,
  })
  .filter((s) => /[a-zA-Z0-9]/.test(s) && s.trim().length >= 12);

const base = (secretFile: string) => `
kafka: { brokers: ['127.0.0.1:9092'] }
registry: { url: 'http://127.0.0.1:8080' }
cxone:
  baseUrl: https://tenant.example
  auth: { clientId: id, clientSecret: '\${file:${secretFile}}' }
audit: { hashPii: true, piiSalt: '\${env:PII_SALT}' }
routes: [{ name: welcome, journeyId: j }]
`;

describe('secrets never appear in configuration errors', () => {
  it(`a secret-shaped value through each of ${PATHS.length} environment overrides and \${file:} is never echoed`, () => {
    assert.ok(PATHS.length > 60, `only ${PATHS.length} paths found`);
    const dir = mkdtempSync(join(tmpdir(), 'cxone-secret-'));
    const secretFile = join(dir, 'secret');
    fc.assert(
      fc.property(secret, fc.constantFrom(...PATHS), (value, path) => {
        writeFileSync(secretFile, value);
        const env = { PII_SALT: value, [envNameFor(path)]: value };
        try {
          loadConfigText(base(secretFile), env);
        } catch (error) {
          assert.ok(error instanceof ConfigError, `not a ConfigError: ${String(error)}`);
          assert.ok(!error.message.includes(value), `${path.join('.')} echoed the value:\n${error.message}`);
          for (const issue of error.issues) assert.ok(!issue.includes(value.trim()));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('validate-config never prints a secret that once crashed it, on stdout or stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cxone-secret-cli-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(file, base(join(dir, 'missing')).replace("'${env:PII_SALT}'", 'a-salt-of-sixteen-chars'));
    const value = '[Sup3r#S3cret: {not yaml';
    const run = promisify(execFile);
    const { stdout, stderr } = await run(
      process.execPath,
      ['src/cli.ts', 'validate-config', '--config', file],
      {
        cwd: root,
        env: {
          ...process.env,
          CXONE_CONNECTOR__CXONE__AUTH__CLIENT_SECRET: value,
          CXONE_CONNECTOR__PROCESSING__MAX_IN_FLIGHT: value,
        },
      },
    ).catch((error: { stdout: string; stderr: string }) => error);
    assert.ok(!`${stdout}${stderr}`.includes(value), `${stdout}${stderr}`);
    assert.match(stderr, /CXONE_CONNECTOR__PROCESSING__MAX_IN_FLIGHT/);
  });

  it('takes a string override as the exact string and a number override as a decimal', () => {
    const config = loadConfigText(base('/nonexistent').replace(/clientSecret: '[^']*'/, 'clientSecret: x'), {
      PII_SALT: 'a-salt-of-sixteen-chars',
      CXONE_CONNECTOR__CXONE__AUTH__CLIENT_SECRET: 'ab #cd',
      CXONE_CONNECTOR__CXONE__AUTH__CLIENT_ID: '00123',
      CXONE_CONNECTOR__PROCESSING__MAX_IN_FLIGHT: '00123',
      CXONE_CONNECTOR__CXONE__ALLOW_INSECURE_HTTP: 'TRUE',
    });
    assert.equal(config.cxone.auth.clientSecret, 'ab #cd');
    assert.equal(config.cxone.auth.clientId, '00123');
    assert.equal(config.processing.maxInFlight, 123);
    assert.equal(config.cxone.allowInsecureHttp, true);
  });
});
