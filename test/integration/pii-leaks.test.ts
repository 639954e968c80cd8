/**
 * No person's data where it does not belong, on every failure path, on the
 * real stack: events carrying random PII-shaped values (emails, phones,
 * names, customer and contact ids) go through the real `cxone-connector run`
 * at debug level, against a simulator answering 404, 400, 429, 5xx and hangs,
 * with mapping faults, an input the data action's definition refuses, a
 * failed async action and a poison record. Then the raw values are searched
 * for in every log line, every DLQ header, the audit topic, the results
 * topic (where only the contact id may appear: it goes back to the CDP) and
 * the admin-only `/status`.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCdpEventEncoder, produceRecords, type CdpEvent } from '../../devkit/cdp-events.ts';
import { groupLag } from '../../devkit/group-lag.ts';
import { decodeAll } from '../../devkit/output-decoding.ts';
import { validateConfig } from '../../src/config/load-config.ts';
import { readTopic } from '../../src/replay/read-topic.ts';
import type { AuditRecord, ResultRecord } from '../../src/output/output-records.ts';
import { createHarness, type Harness } from '../support/connector-harness.ts';
import { startConnectorProcess } from '../support/connector-process.ts';
import { simClient } from '../support/sim-client.ts';
import { testStack } from '../support/stack-env.ts';
import { waitFor } from '../support/wait-for.ts';

const stack = testStack();
const ADMIN_TOKEN = `pii-test-admin-${randomBytes(16).toString('hex')}`;

const FIRST = ['Ada', 'Grace', 'Alan', 'Katherine', 'Edsger', 'Barbara'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Dijkstra', 'Liskov'];

/** One person's data, random and distinctive enough that finding it anywhere is a leak, not chance. */
function person() {
  const first = FIRST[randomInt(FIRST.length)]!;
  const last = LAST[randomInt(LAST.length)]!;
  const tag = randomBytes(4).toString('hex');
  return {
    email: `${first.toLowerCase()}.${last.toLowerCase()}+${tag}@bank.example`,
    phone: `+44 7700 9${String(randomInt(100_000)).padStart(5, '0')}`,
    name: `${first} ${last}-${tag}`,
    customer: `CUST-${randomBytes(5).toString('hex').toUpperCase()}`,
  };
}

/** Each failure path, as the event that takes it. */
const KINDS = [
  'ok', // accepted: the baseline
  'missing-contact', // contact pre-check 404
  'suppressed', // SUPPRESSED by the pre-check
  'no-email-required', // IDENTIFIERS_MISSING (mapping)
  'no-email-sent', // CXone 400 (attributes.email is required)
  'bad-timestamp', // MAPPING_FAILED: an email where a time should be
  'jsonata-quotes', // a predicate whose JSONata error quotes the phone
  'input-invalid', // CXONE_INPUT_INVALID: an email where the action wants an integer
  'action-failed', // an async data action that fails in CXone
] as const;
type Kind = (typeof KINDS)[number];

describe(
  'no PII in logs, DLQ headers, audit, results or /status, on every failure path',
  { timeout: 150_000 },
  () => {
    let harness: Harness;
    before(async () => {
      harness = await createHarness(stack, 3);
    });
    after(async () => {
      await simClient(stack.simUrl).setFaults({ rate5xx: 0, rate429: 0, rateHang: 0, asyncFailRate: 0 });
      await harness.close();
    });

    it('finds none of the raw values, where each failure path leaves its traces', async () => {
      const sim = simClient(stack.simUrl);
      const pii = new Set<string>();
      const contactIds = new Set<string>();
      const events: CdpEvent[] = [];
      const kinds: Kind[] = [];
      for (let i = 0; i < 45; i++) {
        const kind = KINDS[i % KINDS.length]!;
        const p = person();
        // Existing, subscribed simulator contacts (n % 40 not 0 or 20), or a missing one with a random id.
        const contactId =
          kind === 'missing-contact'
            ? `missing-${randomBytes(5).toString('hex')}`
            : kind === 'suppressed'
              ? 'c-000040'
              : `c-${String(1 + (i % 15)).padStart(6, '0')}`;
        if (kind === 'missing-contact') contactIds.add(contactId);
        for (const value of Object.values(p)) pii.add(value);
        const noEmail = kind === 'no-email-required' || kind === 'no-email-sent';
        events.push({
          eventId: `pii-${harness.id}-${i}`,
          eventType:
            {
              'no-email-sent': 'NO_EMAIL',
              'bad-timestamp': 'BAD_TIME',
              'jsonata-quotes': 'PHONE_CHECK',
              'input-invalid': 'LOOKUP',
              'action-failed': 'ORDER_SYNC',
            }[kind as string] ?? 'SIGNED_UP',
          occurredAt: Date.now(),
          contactId,
          identifiers: { email: noEmail ? null : p.email, external_id: p.customer, phone: p.phone },
          properties: { full_name: p.name, contact_email: p.email, order_id: p.customer },
        });
        kinds.push(kind);
      }
      const config = validateConfig({
        ...harness.config,
        cxone: {
          ...harness.config.cxone,
          requestTimeoutMs: 1_000,
          retry: { maxAttempts: 6, initialDelayMs: 20, maxDelayMs: 200, multiplier: 2, maxElapsedMs: 20_000 },
          dataActions: { pollInitialMs: 20, pollMaxMs: 100 },
        },
        observability: { ...harness.config.observability, adminToken: ADMIN_TOKEN },
        routes: [
          {
            name: 'welcome',
            eventTypes: ['SIGNED_UP'],
            journeyId: 'j-welcome',
            fields: { directives: 'properties' },
            requiredIdentifiers: ['email'],
          },
          {
            name: 'no-email',
            eventTypes: ['NO_EMAIL'],
            journeyId: 'j-welcome',
            fields: { directives: 'properties' },
            requiredIdentifiers: ['external_id'],
          },
          {
            name: 'bad-time',
            eventTypes: ['BAD_TIME'],
            journeyId: 'j-welcome',
            fields: { timestamp: 'identifiers.email' },
          },
          {
            name: 'phone',
            eventTypes: ['PHONE_CHECK'],
            journeyId: 'j-welcome',
            when: '$number(identifiers.phone) > 0',
          },
          {
            name: 'lookup',
            eventTypes: ['LOOKUP'],
            action: 'data-action',
            actionId: 'da-customer-lookup',
            inputs: '{ "customerId": contactId, "maxResults": identifiers.email }',
          },
          {
            name: 'order',
            eventTypes: ['ORDER_SYNC'],
            action: 'data-action',
            actionId: 'da-order-sync',
            inputs: '{ "orderId": properties.order_id, "amount": 12.5, "currency": "GBP" }',
          },
        ],
      });

      // A share of every request fails, hangs past the timeout or is throttled; every async action fails.
      await sim.setFaults({ rate5xx: 0.15, rate429: 0.1, rateHang: 0.05, hangMs: 1_500, asyncFailRate: 1 });
      const encoder = await createCdpEventEncoder(stack.registryUrl, harness.input);
      const poisonEmail = person().email;
      pii.add(poisonEmail);
      const poison = Buffer.concat([Buffer.from([0, 0, 0, 0, 9]), Buffer.from(`{"email":"${poisonEmail}"}`)]);
      const producer = harness.kafka.producer();
      await producer.connect();
      try {
        await produceRecords(producer, harness.input, [
          ...events.map((e) => ({ key: `k-${e.eventId}`, value: encoder.encode(e) })),
          { key: 'poison', value: poison },
        ]);
      } finally {
        await producer.disconnect();
      }

      const connector = startConnectorProcess(config, { logLevel: 'debug' });
      let status = '';
      try {
        await waitFor(
          'every event processed',
          async () =>
            (await groupLag(harness.admin, config.kafka.groupId, harness.input)) === 0 ? true : undefined,
          100_000,
        );
        const port = await waitFor('the ops port in the log', async () => {
          const line = connector
            .output()
            .split('\n')
            .find((l) => l.includes('/status and /loglevel with the admin token'));
          return line === undefined ? undefined : (JSON.parse(line) as { port: number }).port;
        });
        const unauthorized = await fetch(`http://127.0.0.1:${port}/status`);
        assert.equal(unauthorized.status, 401);
        status = await (
          await fetch(`http://127.0.0.1:${port}/status`, {
            headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
          })
        ).text();
      } finally {
        connector.child.kill('SIGTERM');
        await Promise.race([connector.exited, sleep(30_000)]);
      }

      const logs = connector.output();
      const [dlq, audit, results] = await Promise.all(
        [harness.topics.dlq, harness.topics.audit, harness.topics.results].map((t) =>
          readTopic(harness.kafka, t, 30_000),
        ),
      );
      const audits = await decodeAll<AuditRecord>(stack.registryUrl, audit!.records);
      const resultRecords = await decodeAll<ResultRecord>(stack.registryUrl, results!.records);
      // The DLQ keeps the original key and bytes (a replay needs them); what it adds are its headers.
      const dlqHeaders = dlq!.records.map((r) =>
        Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k, String(v)])),
      );

      // Each path left its trace: otherwise finding nothing proves nothing.
      const codes = new Set([
        ...audits.map((a) => a.errorCode ?? a.outcome),
        ...dlqHeaders.map((h) => h['cxone.error.code'] ?? ''),
      ]);
      for (const expected of [
        'ACCEPTED',
        'CONTACT_SUPPRESSED',
        'IDENTIFIERS_MISSING',
        'CXONE_BAD_REQUEST',
        'MAPPING_FAILED',
        'MAPPING_EXPRESSION_FAILED',
        'CXONE_INPUT_INVALID',
        'CXONE_ACTION_FAILED',
      ]) {
        assert.ok(codes.has(expected), `the ${expected} path was taken: ${[...codes].join(', ')}`);
      }
      assert.ok(
        audits.some((a) => a.outcome === 'CONTACT_NOT_FOUND' || a.errorCode === 'CXONE_NOT_FOUND'),
        'the missing-contact path was taken',
      );
      assert.ok(
        dlqHeaders.some((h) => (h['cxone.error.code'] ?? '').startsWith('DECODE')),
        'the poison record was dead-lettered',
      );
      assert.match(logs, /"level":"warn"/, 'retries and dead letters were logged');
      assert.match(logs, /"level":"debug"/, 'debug lines were on');
      assert.ok(audits.every((a) => a.contactId === null || a.contactId.startsWith('hmac-sha256:')));

      const places: Record<string, string> = {
        logs,
        'DLQ headers': JSON.stringify(dlqHeaders),
        'the audit topic': JSON.stringify(audits),
        '/status': status,
        'results (but contactId)': JSON.stringify(
          resultRecords.map(({ contactId: _, outputsJson: __, ...rest }) => rest),
        ),
      };
      const leaks: string[] = [];
      for (const [where, text] of Object.entries(places)) {
        for (const value of [...pii, ...contactIds])
          if (text.includes(value)) leaks.push(`${where}: ${value}`);
      }
      // A data action's outputs may echo the contact id it was given; nothing else of the person.
      const outputs = JSON.stringify(resultRecords.map((r) => r.outputsJson));
      for (const value of pii) if (outputs.includes(value)) leaks.push(`results outputsJson: ${value}`);
      assert.deepEqual(leaks, []);
      assert.ok(
        resultRecords.some((r) => r.contactId !== null && contactIds.has(r.contactId)),
        'the results keep the contact id, for the CDP',
      );
    });
  },
);
