/**
 * The way back from the DLQ, on the real stack: a route whose mapping makes
 * CXone refuse a slice of events (400), fixed, the connector restarted, and
 * those dead letters replayed (twice). Exactly once holds: each refused event
 * reaches CXone once after the fix, the second replay replays nothing, and a
 * copy that slips through anyway is a DUPLICATE.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { generateEvents, produceEvents } from '../../devkit/cdp-events.ts';
import { groupLag } from '../../devkit/group-lag.ts';
import { decodeAll, dlqCode } from '../../devkit/output-decoding.ts';
import { validateConfig } from '../../src/config/load-config.ts';
import type { ConnectorConfig } from '../../src/config/schema.ts';
import { parseDeadLetter, replayMessage } from '../../src/replay/dead-letters.ts';
import { runDlqReplay } from '../../src/replay/dlq-replay.ts';
import { readTopicToEnd } from '../../src/replay/read-topic.ts';
import { createHarness, type Harness } from '../support/connector-harness.ts';
import { simClient } from '../support/sim-client.ts';
import { testStack } from '../support/stack-env.ts';
import { waitFor } from '../support/wait-for.ts';

const stack = testStack();
const root = new URL('../..', import.meta.url).pathname;

interface Result {
  idempotencyKey: string;
  outcome: string;
}
interface Audit extends Result {
  replayOf: string | null;
  cxoneIdempotencyKey: string | null;
}

describe('dlq replay on the real stack', { timeout: 50_000 }, () => {
  let harness: Harness;
  // Contacts 1-19 are SUBSCRIBED; the event types cycle SIGNED_UP, PURCHASE_COMPLETED, CART_ABANDONED.
  const events = generateEvents({ count: 30, contacts: 19, prefix: `rp-${Date.now().toString(36)}` });
  const carts = events.filter((e) => e.eventType === 'CART_ABANDONED').map((e) => `welcome:${e.eventId}`);
  let fixed: ConnectorConfig;

  before(async () => {
    harness = await createHarness(stack, 3);
    await produceEvents(harness.kafka, stack.registryUrl, harness.input, events);
  });
  after(async () => harness.close());

  const settled = (config: ConnectorConfig) =>
    waitFor(
      'every input record to be committed',
      async () =>
        (await groupLag(harness.admin, config.kafka.groupId, harness.input)) === 0 ? true : undefined,
      60_000,
    );
  const results = async () =>
    decodeAll<Result>(stack.registryUrl, await readTopicToEnd(harness.kafka, harness.topics.results));
  const audit = async () =>
    decodeAll<Audit>(stack.registryUrl, await readTopicToEnd(harness.kafka, harness.topics.audit));
  const replay = (dryRun: boolean) =>
    runDlqReplay(harness.kafka, {
      dlqTopic: harness.topics.dlq,
      ledgerTopic: harness.topics.replays,
      transactionalId: `${harness.config.kafka.groupId}-dlq-replay`,
      groupId: harness.config.kafka.groupId,
      filter: { codes: ['CXONE_BAD_REQUEST'] },
      limit: undefined,
      dryRun,
    });

  it('a mapping CXone refuses for a slice of events dead-letters exactly that slice', async () => {
    // The bug: cart events lose external_id, which the trigger needs (400 from CXone).
    const broken = validateConfig({
      ...harness.config,
      routes: [
        {
          name: 'welcome',
          journeyId: 'j-welcome',
          requiredIdentifiers: ['email'],
          fields: {
            identifiers: 'eventType = "CART_ABANDONED" ? { "email": identifiers.email } : identifiers',
          },
        },
      ],
    });
    const { connector } = await harness.startConnector(broken);
    await settled(broken);
    await connector.stop();
    const dlq = await readTopicToEnd(harness.kafka, harness.topics.dlq);
    assert.equal(dlq.length, carts.length);
    assert.ok(dlq.every((r) => dlqCode(r) === 'CXONE_BAD_REQUEST'));
    const outcomes = await results();
    assert.equal(outcomes.filter((r) => r.outcome === 'REJECTED').length, carts.length);
    assert.equal(outcomes.filter((r) => r.outcome === 'ACCEPTED').length, events.length - carts.length);
  });

  it('a dry run counts what it would replay by code and route, and writes nothing', async () => {
    const configFile = join(mkdtempSync(join(tmpdir(), 'cxone-replay-')), 'config.json');
    writeFileSync(configFile, JSON.stringify(harness.config));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['src/cli.ts', 'dlq', 'replay', '--config', configFile, '--code', 'CXONE_BAD_REQUEST', '--dry-run'],
      { cwd: root },
    );
    assert.match(
      stdout,
      new RegExp(
        `would replay: ${carts.length} \\(by code: CXONE_BAD_REQUEST ${carts.length}; by route: welcome ${carts.length}\\)`,
      ),
    );
    assert.match(stdout, /dry run: nothing was written/);
    assert.equal((await readTopicToEnd(harness.kafka, harness.topics.replays)).length, 0);
    assert.equal(await groupLag(harness.admin, harness.config.kafka.groupId, harness.input), 0);
  });

  it('after the fix, a replay sends each refused event to CXone once, fresh, and the audit says so', async () => {
    fixed = validateConfig(harness.config);
    const { connector } = await harness.startConnector(fixed);
    const summary = await replay(false);
    assert.equal(summary.replayed, carts.length);
    assert.deepEqual(summary.byCode, { CXONE_BAD_REQUEST: carts.length });
    // Lag 0 alone can be read before the replay's commit is visible: wait for the effects as well.
    await waitFor('the replayed events to reach CXone', async () => {
      const seen = await simClient(stack.simUrl).effectsByKey();
      return carts.every((key) => seen[`${key}~1`] !== undefined) ? true : undefined;
    });
    await settled(fixed);

    const effects = await simClient(stack.simUrl).effectsByKey();
    for (const key of carts) {
      assert.equal(effects[`${key}~1`], 1, `${key} reached CXone once after the fix, under a fresh key`);
      assert.equal(effects[key], undefined, `${key} never had an effect under its first key`);
    }
    const accepted = (await results()).filter((r) => r.outcome === 'ACCEPTED').map((r) => r.idempotencyKey);
    for (const key of carts) assert.equal(accepted.filter((k) => k === key).length, 1);
    const replayed = (await audit()).filter((a) => a.replayOf !== null);
    assert.equal(replayed.length, carts.length);
    assert.ok(replayed.every((a) => a.replayOf?.startsWith(`${harness.topics.dlq}/`)));
    assert.ok(
      replayed.every((a) => a.cxoneIdempotencyKey === `${a.idempotencyKey}~1` && a.outcome === 'ACCEPTED'),
    );
    assert.equal(
      (await readTopicToEnd(harness.kafka, harness.topics.dlq)).length,
      carts.length,
      'no new dead letter',
    );
    await connector.stop();
  });

  it('the same replay again replays nothing; a copy that slips through anyway is a DUPLICATE', async () => {
    const again = await replay(false);
    assert.equal(again.replayed, 0);
    assert.equal(again.alreadyReplayed, carts.length);

    const { connector } = await harness.startConnector(fixed);
    const [first] = await readTopicToEnd(harness.kafka, harness.topics.dlq);
    assert.ok(first);
    const copy = replayMessage(parseDeadLetter(harness.topics.dlq, first));
    const producer = harness.kafka.producer();
    await producer.connect();
    await producer.send({ topic: copy.topic, messages: [copy] });
    await producer.disconnect();
    await settled(fixed);
    const key = (await audit()).find(
      (a) => a.replayOf === copy.headers['cxone.replay.of']?.toString(),
    )?.idempotencyKey;
    assert.ok(key);
    assert.deepEqual(
      (await results()).filter((r) => r.idempotencyKey === key).map((r) => r.outcome),
      ['REJECTED', 'ACCEPTED', 'DUPLICATE'],
    );
    const effects = await simClient(stack.simUrl).effectsByKey();
    assert.equal(effects[`${key}~1`], 1, 'still one effect');
    assert.equal(effects[`${key}~2`], undefined);
    await connector.stop();
  });
});
