/**
 * A clean start of the real `cxone-connector run`, as an SRE sees it: the
 * first start of a group (its output and dedup topics created), events
 * processed, a SIGTERM drain. Nothing at warn level or above, and nothing but
 * JSON log lines: no kafkajs partitioner notice, no "Limiting retries for the
 * idempotent producer may invalidate EoS guarantees", no Node warning.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateEvents, produceEvents } from '../../devkit/cdp-events.ts';
import { groupLag } from '../../devkit/group-lag.ts';
import { createHarness, type Harness } from '../support/connector-harness.ts';
import { startConnectorProcess } from '../support/connector-process.ts';
import { testStack } from '../support/stack-env.ts';
import { waitFor } from '../support/wait-for.ts';

const stack = testStack();

describe('a clean start prints nothing alarming', { timeout: 50_000 }, () => {
  let harness: Harness | undefined;
  before(async () => {
    harness = await createHarness(stack, 2);
  });
  after(async () => harness?.close());

  it('from the first start to a drained stop: only info lines, all JSON', async () => {
    const h = harness!;
    const events = generateEvents({ count: 40, contacts: 19, prefix: `clean-${h.id}` });
    await produceEvents(h.kafka, stack.registryUrl, h.input, events);
    const connector = startConnectorProcess(h.config);
    try {
      await waitFor(
        'every event processed',
        async () => ((await groupLag(h.admin, h.config.kafka.groupId, h.input)) === 0 ? true : undefined),
        60_000,
      );
    } finally {
      connector.child.kill('SIGTERM');
    }
    const code = await Promise.race([connector.exited, sleep(30_000).then(() => 'timeout' as const)]);
    const output = connector.output();
    assert.equal(code, 0, `graceful exit\n${output.slice(-3000)}`);
    const lines = output.split('\n').filter((line) => line.trim() !== '');
    assert.ok(
      lines.some((line) => line.includes('"to":"running"')),
      'the start reached running',
    );
    const loud: string[] = [];
    for (const line of lines) {
      let level: unknown;
      try {
        level = (JSON.parse(line) as { level?: unknown }).level;
      } catch {
        loud.push(`not a JSON log line: ${line}`);
        continue;
      }
      if (level !== 'info' && level !== 'debug' && level !== 'trace') loud.push(line);
    }
    assert.deepEqual(loud, [], 'a clean start logs nothing at warn or above');
  });
});
