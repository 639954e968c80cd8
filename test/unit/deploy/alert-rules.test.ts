/**
 * The alert rules, checked and unit-tested by real Prometheus: promtool (Debian's
 * `prometheus` package; .ci/run installs it). Each alert has a test that shows it
 * firing and, for a healthy neighbour or before its `for`, not firing.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

const dir = new URL('../../../deploy/prometheus/', import.meta.url).pathname;

function promtool(args: string[]): string {
  const found = spawnSync('promtool', ['--version']);
  assert.ok(
    found.status === 0,
    'promtool is required for the alert rule tests: apt-get install prometheus (.ci/run installs it)',
  );
  return execFileSync('promtool', args, { cwd: dir, encoding: 'utf8' });
}

describe('deploy/prometheus/alerts.yaml', () => {
  it('passes promtool check rules', () => {
    assert.match(promtool(['check', 'rules', 'alerts.yaml']), /SUCCESS: 18 rules found/);
  });

  it('passes promtool test rules, with a test for every alert', () => {
    assert.match(promtool(['test', 'rules', 'alerts.test.yaml']), /SUCCESS/);
    const rules = parse(readFileSync(`${dir}alerts.yaml`, 'utf8')) as {
      groups: { rules: { alert: string; annotations: { runbook_url: string } }[] }[];
    };
    const tests = readFileSync(`${dir}alerts.test.yaml`, 'utf8');
    const handbook = readFileSync(new URL('../../../docs/alerts.md', import.meta.url), 'utf8');
    for (const rule of rules.groups.flatMap((g) => g.rules)) {
      assert.match(
        tests,
        new RegExp(`alertname: ${rule.alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`),
        `${rule.alert} is tested firing`,
      );
      const [page, anchor] = rule.annotations.runbook_url.split('#');
      assert.ok(page?.endsWith('/blob/main/docs/alerts.md'), `${rule.alert} links the alert handbook`);
      assert.equal(anchor, rule.alert.toLowerCase(), `${rule.alert} links its own runbook section`);
      assert.match(
        handbook,
        new RegExp(`^### ${rule.alert}$`, 'm'),
        `docs/alerts.md has a runbook section for ${rule.alert}`,
      );
    }
  });
});
