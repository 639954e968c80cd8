// Every command of the CLI as an operator meets it, as a child process with stdout and stderr apart:
// help exits 0 on stdout; a usage error names the option in one line, then the usage, exit 2; a
// failure is one line, exit 1, and no stack trace unless --debug or LOG_LEVEL=debug.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const node = new URL('../../node_modules/.bin/node', import.meta.url).pathname;
const cli = new URL('../../src/cli.ts', import.meta.url).pathname;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function cxone(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      node,
      [cli, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;
const missing = join(tmpdir(), 'cxone-cli-test-no-such-config.yaml');
const dir = mkdtempSync(join(tmpdir(), 'cxone-cli-'));
const badConfig = join(dir, 'bad.yaml');
writeFileSync(badConfig, 'kafka: { brokers: [] }\n');
const publicKeyFile = join(dir, 'audit-public.pem');
writeFileSync(
  publicKeyFile,
  generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }),
);

/** Each command, an option of it that takes a value, and a way to make it fail. */
const COMMANDS: { command: string[]; valueOption?: string; failure: string[]; failureSays: RegExp }[] = [
  {
    command: ['run'],
    valueOption: '--config',
    failure: ['--config', missing],
    failureSays: /cannot read config file/,
  },
  {
    command: ['validate-config'],
    valueOption: '--config',
    failure: ['--config', badConfig],
    failureSays: /invalid configuration/,
  },
  {
    command: ['check'],
    valueOption: '--config',
    failure: ['-c', missing],
    failureSays: /cannot read config file/,
  },
  {
    command: ['dlq', 'replay'],
    valueOption: '--limit',
    failure: ['--config', missing, '--dry-run'],
    failureSays: /cannot read config file/,
  },
  {
    command: ['audit', 'verify'],
    valueOption: '--chain',
    failure: ['--config', missing, '--public-key', publicKeyFile],
    failureSays: /cannot read config file/,
  },
  { command: ['sim'], valueOption: '--port', failure: ['--port', '70000'], failureSays: /--port/ },
  {
    command: ['health'],
    valueOption: '--url',
    failure: ['--url', 'http://127.0.0.1:1/readyz'],
    failureSays: /127\.0\.0\.1:1/,
  },
  { command: ['version'], failure: [], failureSays: /./ },
];

describe('cxone-connector CLI conventions (child processes)', { timeout: 120_000 }, () => {
  for (const { command, valueOption, failure, failureSays } of COMMANDS) {
    const name = command.join(' ');
    describe(name, () => {
      it('--help and -h print its usage, options and exit codes on stdout, exit 0', async () => {
        for (const flag of ['--help', '-h']) {
          const out = await cxone([...command, flag]);
          assert.equal(out.code, 0, out.stderr);
          assert.equal(out.stderr, '');
          assert.match(out.stdout, new RegExp(`^Usage: cxone-connector ${name}`));
          assert.match(out.stdout, /Options:\n/);
          assert.match(out.stdout, /--help/);
          assert.match(out.stdout, /Exit codes: 0 .*; 1 .*; 2 a usage error/);
        }
      });

      it('an unknown option is named in one line, then the usage, on stderr, exit 2', async () => {
        const out = await cxone([...command, '--bogus']);
        assert.equal(out.code, 2);
        assert.equal(out.stdout, '');
        const [first, blank, usage] = out.stderr.split('\n');
        assert.equal(first, 'unknown option --bogus');
        assert.equal(blank, '');
        assert.match(usage ?? '', new RegExp(`^Usage: cxone-connector ${name}`));
        assert.doesNotMatch(out.stderr, STACK_LINE);
      });

      if (valueOption) {
        it(`${valueOption} without its value is named, exit 2`, async () => {
          const out = await cxone([...command, valueOption]);
          assert.equal(out.code, 2);
          assert.equal(out.stdout, '');
          assert.match(out.stderr.split('\n')[0] ?? '', new RegExp(`^option ${valueOption} needs a value`));
          assert.doesNotMatch(out.stderr, STACK_LINE);
        });
      }

      if (name !== 'version') {
        it('a failure is one line saying what failed, exit 1, with its stack only under --debug or LOG_LEVEL=debug', async () => {
          const out = await cxone([...command, ...failure]);
          assert.equal(out.code, 1, `${out.stdout}\n${out.stderr}`);
          assert.match(out.stderr, failureSays);
          assert.doesNotMatch(out.stderr, STACK_LINE);
          assert.doesNotMatch(out.stdout, STACK_LINE);
          if (name === 'health') return; // a status, not an error: nothing to trace
          for (const debug of [
            cxone([...command, ...failure, '--debug']),
            cxone([...command, ...failure], { LOG_LEVEL: 'debug' }),
          ]) {
            const traced = await debug;
            assert.equal(traced.code, 1);
            assert.match(traced.stderr, STACK_LINE);
          }
        });
      }
    });
  }

  it('the top level: --help on stdout exit 0, no command or an unknown one on stderr exit 2, help <command>', async () => {
    const help = await cxone(['--help']);
    assert.equal(help.code, 0);
    for (const command of [
      'run',
      'validate-config',
      'check',
      'dlq replay',
      'audit verify',
      'sim',
      'health',
      'version',
    ])
      assert.match(help.stdout, new RegExp(`^  ${command} `, 'm'));
    assert.match(help.stdout, /Exit codes: 0 success; 1 failure .*; 2 a usage error/);
    const none = await cxone([]);
    assert.equal(none.code, 2);
    assert.equal(none.stdout, '');
    assert.match(none.stderr, /^Usage: cxone-connector <command>/);
    const unknown = await cxone(['nope']);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr.split('\n')[0], 'unknown command "nope"');
    const dlq = await cxone(['dlq', 'rewind']);
    assert.equal(dlq.code, 2);
    assert.match(dlq.stderr.split('\n')[0] ?? '', /unknown dlq command "rewind"/);
    const about = await cxone(['help', 'check']);
    assert.equal(about.code, 0);
    assert.match(about.stdout, /^Usage: cxone-connector check --config <file>/);
  });

  it('audit verify without a public key, or with one that is not Ed25519, is a usage error naming it, exit 2', async () => {
    const none = await cxone(['audit', 'verify', '--config', missing]);
    assert.equal(none.code, 2);
    assert.match(none.stderr.split('\n')[0] ?? '', /^--public-key <file> is required/);
    const wrong = await cxone(['audit', 'verify', '--config', missing, '--public-key', badConfig]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr.split('\n')[0] ?? '', /^--public-key .*bad\.yaml: /);
    const bound = await cxone(['audit', 'verify', '--public-key', publicKeyFile, '--from', 'last week']);
    assert.equal(bound.code, 2);
    assert.match(bound.stderr.split('\n')[0] ?? '', /^--from must be a chain sequence or an ISO-8601 time/);
  });

  it('a bad option value (dlq replay --since) is a usage error: named, exit 2', async () => {
    const out = await cxone(['dlq', 'replay', '--config', missing, '--since', 'yesterday']);
    assert.equal(out.code, 2);
    assert.match(out.stderr.split('\n')[0] ?? '', /^--since must be an ISO-8601 time/);
  });
});
