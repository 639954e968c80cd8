/**
 * A smaller chaos run inside the suite: the same harness as `npm run chaos`
 * (its own stack, three connector processes, SIGKILLs at random and at crash
 * points, a broker restart, a frozen zombie, simulator faults; the audit chains
 * verified after), fewer events,
 * and the connectors on the secured listener: SASL_SSL with SCRAM-SHA-512 and
 * only the ACLs docs/security.md lists.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;

describe('chaos run (small)', { timeout: 250_000 }, () => {
  it(
    'keeps every invariant while processes, the broker and the network misbehave',
    { timeout: 240_000 },
    async () => {
      const json = join(mkdtempSync(join(tmpdir(), 'chaos-test-')), 'summary.json');
      const child = spawn(
        process.execPath,
        [
          join(root, 'bench/chaos.ts'),
          '--events',
          '2500',
          '--produce-seconds',
          '25',
          '--kill-every',
          '4',
          '--json',
          json,
          '--secure',
        ],
        { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      assert.equal(code, 0, `chaos run failed:\n${output.slice(-4000)}`);
      const summary = JSON.parse(readFileSync(json, 'utf8')) as Record<string, number | boolean>;
      assert.equal(summary.lost, 0);
      assert.equal(summary.duplicate_effects, 0);
      assert.equal(summary.results_per_event_max, 1);
      assert.equal(summary.results_missing, 0);
      assert.equal(summary.dlq_records, summary.poison);
      assert.equal(summary.duplicate_outcomes, summary.repeats, 'only repeated events yield DUPLICATE');
      assert.equal(summary.audit_records, Number(summary.unique_valid) + Number(summary.repeats));
      assert.equal(summary.audit_chained_records, summary.audit_records, 'every audit record chained');
      assert.equal(
        summary.audit_divergences,
        0,
        'the audit chains verify through kills and a broker restart',
      );
      assert.ok(Number(summary.audit_checkpoints) > 0, 'checkpoints were signed');
      assert.equal(summary.final_lag, 0);
      assert.equal(summary.open_transactions, 0);
      assert.equal(summary.verifier_duplicates, 0);
      assert.ok(Number(summary.kills) >= 3, 'instances were killed');
      assert.ok(Number(summary.broker_restarts) >= 1, 'the broker was restarted');
      assert.equal(summary.accepted_effects, summary.unique_valid);
    },
  );
});
