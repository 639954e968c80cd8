/**
 * The chaos run's input: unique valid events, repeats of earlier event ids
 * (the same event sent again by the CDP), and poison records of three kinds.
 * Only eligible (SUBSCRIBED) simulator contacts are used, so every unique
 * valid event must end as exactly one CXone effect. Poison records are keyed
 * `poison-<n>` so the harness can count them in the input topic afterwards.
 */
import type { CdpEvent, CdpEventEncoder, RawRecord } from '../../devkit/cdp-events.ts';
import { contactIdFor } from '../../devkit/cdp-events.ts';

export interface ChaosPlan {
  records: RawRecord[];
  uniqueKeys: Set<string>;
  repeats: number;
  poison: number;
}

/** Simulator rule: every 20th generated contact is unsubscribed or suppressed. */
function isEligibleContact(n: number): boolean {
  return n % 20 !== 0;
}

export function planChaosEvents(options: {
  count: number;
  contacts: number;
  encoder: CdpEventEncoder;
  runId: string;
  route: string;
}): ChaosPlan {
  const eligible: number[] = [];
  for (let n = 1; n <= options.contacts; n++) if (isEligibleContact(n)) eligible.push(n);
  const records: RawRecord[] = [];
  const valid: RawRecord[] = [];
  const uniqueKeys = new Set<string>();
  let repeats = 0;
  let poison = 0;
  const start = Date.UTC(2026, 10, 23, 9, 0, 0);
  for (let i = 0; i < options.count; i++) {
    if (i % 100 === 99) {
      records.push(poisonRecord(poison++, options.encoder, options.runId));
    } else if (i % 20 === 19 && valid.length > 0) {
      // A repeat of an earlier event: the same bytes under the same key.
      records.push(valid[(i * 7919) % valid.length] as RawRecord);
      repeats++;
    } else {
      const contactId = contactIdFor(eligible[(i * 31) % eligible.length] as number);
      const event: CdpEvent = {
        eventId: `${options.runId}-${i}`,
        eventType: 'PURCHASE_COMPLETED',
        occurredAt: start + i,
        contactId,
        identifiers: { email: `${contactId}@example.com`, external_id: `ext-${contactId}`, phone: null },
        properties: { order_id: `ORD-${i}` },
      };
      const record = { key: contactId, value: options.encoder.encode(event) };
      valid.push(record);
      records.push(record);
      uniqueKeys.add(`${options.route}:${event.eventId}`);
    }
  }
  return { records, uniqueKeys, repeats, poison };
}

function poisonRecord(n: number, encoder: CdpEventEncoder, runId: string): RawRecord {
  switch (n % 3) {
    case 0:
      return { key: `poison-${n}`, value: Buffer.from(`not avro ${n}`) };
    case 1: {
      const bytes = Buffer.from([0, 0x7f, 0, 0, 0, 2, 0x61]);
      bytes.writeInt32BE(0x7f000000 + n, 1);
      return { key: `poison-${n}`, value: bytes };
    }
    default: {
      const event: CdpEvent = {
        eventId: `${runId}-poison-${n}`,
        eventType: 'PURCHASE_COMPLETED',
        occurredAt: Date.UTC(2026, 10, 23),
        contactId: 'c-000001',
        identifiers: { email: null, external_id: null, phone: null },
        properties: {},
      };
      return { key: `poison-${n}`, value: encoder.encode(event) };
    }
  }
}
