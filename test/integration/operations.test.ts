/**
 * Operating it by looking, on the real stack: the real `cxone-connector run`
 * process, scraped every second by a real Prometheus that also loads the
 * shipped alert rules, through a demo-sized run with poison records, CXone
 * 429s and a route whose journey does not exist. Then every query of the
 * Grafana dashboard must return series, every rule must evaluate cleanly (and
 * the blocked route must be on its way to alerting), the warehouse query in docs/operations.md
 * must answer on the audit topic, every log line must have
 * the searchable shape, and the log level must change without a restart.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { contactIdFor, generateEvents, produceEvents } from '../../devkit/cdp-events.ts';
import { startPrometheus, type PrometheusServer } from '../../devkit/prometheus-server.ts';
import { decodeAll } from '../../devkit/output-decoding.ts';
import { validateConfig } from '../../src/config/load-config.ts';
import { readTopicToEnd } from '../../src/replay/read-topic.ts';
import { createHarness, type Harness } from '../support/connector-harness.ts';
import { startConnectorProcess, type ConnectorProcess } from '../support/connector-process.ts';
import { simClient } from '../support/sim-client.ts';
import { testStack } from '../support/stack-env.ts';
import { waitFor } from '../support/wait-for.ts';

const stack = testStack();
/** `/loglevel` answers only the admin token (observability.adminToken). */
const ADMIN_TOKEN = `ops-test-admin-token-${'0'.repeat(16)}`;
const root = new URL('../../', import.meta.url);
const JOB = 'cxone-connector';

interface Dashboard {
  templating: { list: { name: string }[] };
  panels: { type: string; title: string; targets?: { expr: string; refId: string }[] }[];
}

/** A panel query as Grafana would send it with every variable at All, over the whole run. */
function asSent(expr: string): string {
  return expr.replaceAll('$__rate_interval', '5m').replaceAll('$job', '.+').replaceAll('$instance', '.+');
}

const setSimFaults = (faults: Record<string, number>) => simClient(stack.simUrl).setFaults(faults);

/** The SQL block docs/operations.md "Reading the audit topic from a warehouse" shows, as it is written there. */
function documentedAuditQuery(): string {
  const readme = readFileSync(new URL('docs/operations.md', root), 'utf8');
  const at = readme.indexOf('<!-- audit-query');
  const block = /```sql\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(at >= 0 && block?.[1], 'docs/operations.md has no audit query');
  return block[1];
}

type AuditRow = Record<string, unknown> & {
  idempotencyKey: string;
  route: string;
  outcome: string;
  processedAt: number;
  sourceOffset: number;
};

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe(
  'operations: dashboard, alert rules and logs against a real Prometheus and a real connector',
  { timeout: 55_000 },
  () => {
    let harness: Harness;
    let connector: ConnectorProcess | undefined;
    let prometheus: PrometheusServer | undefined;
    before(async () => {
      harness = await createHarness(stack, 3);
    });
    after(async () => {
      await setSimFaults({ rate429: 0 });
      if (connector) {
        connector.child.kill('SIGTERM');
        await connector.exited;
      }
      await prometheus?.stop();
      await harness.close();
    });

    it('every panel returns series, every rule evaluates, the warehouse query answers, log lines are searchable, the level changes live', async () => {
      const config = validateConfig({
        ...harness.config,
        observability: { ...harness.config.observability, lagSampleMs: 1000, adminToken: ADMIN_TOKEN },
        routes: [
          { name: 'welcome', journeyId: 'j-welcome', eventTypes: ['SIGNED_UP'] },
          {
            name: 'order-sync',
            action: 'data-action',
            actionId: 'da-order-sync',
            eventTypes: ['PURCHASE_COMPLETED'],
            inputs: '{ "orderId": properties.order_id, "amount": 12.5 }',
          },
          // A journey CXone does not have: a configuration fault that blocks the route, never a dead letter.
          { name: 'winback', journeyId: 'j-does-not-exist', eventTypes: ['CART_ABANDONED'] },
        ],
      });
      connector = startConnectorProcess(config);
      const process = connector;
      const port = await waitFor('the connector to say where its metrics are', async () => {
        const line = jsonLines(process.output()).find((l) => String(l.msg).startsWith('metrics and health'));
        return typeof line?.port === 'number' ? line.port : undefined;
      });
      prometheus = await startPrometheus({
        job: JOB,
        targets: [`127.0.0.1:${port}`],
        ruleFiles: [new URL('deploy/prometheus/alerts.yaml', root).pathname],
      });
      const prom = prometheus;
      await waitFor('the connector to be running', async () =>
        (await fetch(`http://127.0.0.1:${port}/readyz`)).ok ? true : undefined,
      );

      await setSimFaults({ rate429: 0.05 });
      const events = generateEvents({ count: 150, contacts: 19, prefix: `ops-${harness.id}` });
      await produceEvents(harness.kafka, stack.registryUrl, harness.input, events);
      const producer = harness.kafka.producer();
      await producer.connect();
      await producer.send({
        topic: harness.input,
        messages: [
          { key: 'poison-1', value: Buffer.from('{"not":"avro"}') },
          { key: 'poison-2', value: Buffer.from([0, 0, 0x0f, 0x42, 0x3f, 1, 2, 3]) },
        ],
      });
      await producer.disconnect();

      const value = async (expr: string): Promise<number> =>
        Number((await prom.query(expr))[0]?.value[1] ?? 0);
      await waitFor(
        'Prometheus to have seen outcomes on both working routes, the dead letters, 429s and the blocked route',
        async () =>
          (await value('sum(cxone_connector_outcomes_total{route="welcome"})')) > 0 &&
          (await value('sum(cxone_connector_outcomes_total{route="order-sync"})')) > 0 &&
          (await value('sum(cxone_connector_dead_letters_total)')) >= 2 &&
          (await value('sum(cxone_connector_cxone_requests_total{status="429"})')) > 0 &&
          (await value('sum(cxone_connector_blocked_routes{code="CXONE_NOT_FOUND"})')) === 1
            ? true
            : undefined,
        120_000,
      );
      await setSimFaults({ rate429: 0 });
      // A few more scrapes after the last change, so every rate() has two samples of it.
      const seen = await prom.scrapes(JOB);
      await waitFor('three more scrapes', async () =>
        (await prom.scrapes(JOB)) >= seen + 3 ? true : undefined,
      );

      const dashboard = JSON.parse(
        readFileSync(new URL('deploy/grafana/cxone-connector.json', root), 'utf8'),
      ) as Dashboard;
      const targets = dashboard.panels.flatMap((panel) =>
        (panel.targets ?? []).map((target) => ({ panel: panel.title, ...target })),
      );
      assert.ok(targets.length >= 20, `only ${targets.length} queries in the dashboard`);
      const empty: string[] = [];
      for (const target of targets) {
        const series = await prom.query(asSent(target.expr));
        if (series.length === 0) empty.push(`${target.panel} [${target.refId}]: ${target.expr}`);
      }
      assert.deepEqual(empty, [], 'dashboard queries with no series');

      const rules = await prom.rules();
      assert.ok(rules.length >= 9, `only ${rules.length} rules loaded`);
      assert.deepEqual(
        rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError ?? r.health}`),
        [],
        'alert rules that fail to evaluate on real data',
      );
      const routeBlocked = rules.find((r) => r.name === 'CxoneConnectorRouteBlocked');
      assert.ok(
        routeBlocked?.state === 'pending' || routeBlocked?.state === 'firing',
        JSON.stringify(routeBlocked),
      );
      assert.equal(rules.find((r) => r.name === 'CxoneConnectorDown')?.state, 'inactive');

      // Logs: every line of the real process in the shape a log pipeline parses without rules.
      const lines = jsonLines(process.output());
      assert.ok(lines.length > 3);
      const instance = lines[0]?.instance;
      assert.match(String(instance), /^[0-9a-f-]{36}$/);
      for (const line of lines) {
        assert.ok(
          ['trace', 'debug', 'info', 'warn', 'error', 'fatal'].includes(String(line.level)),
          JSON.stringify(line),
        );
        assert.equal(new Date(String(line.time)).toISOString(), line.time);
        assert.equal(typeof line.hostname, 'string');
        assert.equal(line.instance, instance);
      }
      const dead = lines.filter((l) => String(l.msg).startsWith('dead-lettered'));
      assert.ok(dead.length >= 2 && dead.every((l) => 'eventId' in l && 'idempotencyKey' in l));

      // the warehouse query in docs/operations.md, run on the real audit topic loaded as a table (SQLite here).
      const audit = await decodeAll<AuditRow>(
        stack.registryUrl,
        await readTopicToEnd(harness.kafka, harness.topics.audit),
      );
      const schema = JSON.parse(readFileSync(new URL('schemas/cxone-audit.avsc', root), 'utf8')) as {
        fields: { name: string }[];
      };
      const columns = schema.fields.map((f) => f.name);
      const db = new DatabaseSync(':memory:');
      db.exec(`CREATE TABLE cxone_audit (${columns.join(', ')})`);
      const insert = db.prepare(
        `INSERT INTO cxone_audit (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      );
      for (const row of audit) {
        insert.run(
          ...columns.map((c) => {
            const v = row[c];
            return v instanceof Date
              ? v.getTime()
              : typeof v === 'object' && v !== null
                ? JSON.stringify(v)
                : ((v as string | number | null) ?? null);
          }),
        );
      }
      const answered = db.prepare(documentedAuditQuery()).all() as {
        route: string;
        outcome: string;
        events: number;
      }[];
      // The same question answered in code: the last decision per key, repeats left out.
      const last = new Map<string, AuditRow>();
      for (const row of audit) {
        if (row.outcome === 'DUPLICATE') continue;
        const seen = last.get(row.idempotencyKey);
        const later =
          !seen ||
          Number(row.processedAt) > Number(seen.processedAt) ||
          (Number(row.processedAt) === Number(seen.processedAt) &&
            Number(row.sourceOffset) > Number(seen.sourceOffset));
        if (later) last.set(row.idempotencyKey, row);
      }
      const expected = new Map<string, number>();
      for (const row of last.values())
        expected.set(`${row.route} ${row.outcome}`, (expected.get(`${row.route} ${row.outcome}`) ?? 0) + 1);
      assert.deepEqual(
        Object.fromEntries(answered.map((r) => [`${r.route} ${r.outcome}`, Number(r.events)])),
        Object.fromEntries(expected),
      );
      assert.ok(answered.some((r) => r.route === 'welcome' && r.outcome === 'ACCEPTED'));

      // The level at run time: debug shows one line per outcome, with the event id and its key. A
      // contact of its own: the others' later events wait behind their blocked winback events.
      const set = await fetch(`http://127.0.0.1:${port}/loglevel`, {
        method: 'PUT',
        body: 'debug',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      assert.deepEqual(await set.json(), { level: 'debug' });
      const more = generateEvents({ count: 3, contacts: 19, prefix: `ops-debug-${harness.id}` }).map((e) => ({
        ...e,
        eventType: 'SIGNED_UP',
        contactId: contactIdFor(21),
      }));
      await produceEvents(harness.kafka, stack.registryUrl, harness.input, more);
      const outcome = await waitFor('a debug outcome line for a new event', async () =>
        jsonLines(process.output()).find(
          (l) => l.level === 'debug' && l.eventId === more[0]?.eventId && typeof l.outcome === 'string',
        ),
      );
      assert.equal(outcome.idempotencyKey, `welcome:${more[0]?.eventId}`);
    });
  },
);
