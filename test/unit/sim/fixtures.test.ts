// Fixtures: generated contacts computed from the id, defaults, and files that extend them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFixtureStore, generatedContact } from '../../../src/sim/fixtures.ts';
import { parseFixtures } from '../../../src/sim/fixtures-file.ts';
import { SimOptionsError } from '../../../src/sim/options.ts';

const YAML_FIXTURES = `
contacts:
  - id: vip-1
    suppressionStatus: SUBSCRIBED
    email: vip@example.test
    tier: gold
journeys:
  - id: j-welcome
    state: PAUSED
dataActions:
  - id: da-extra
    mode: sync
    inputs: [{ name: n, type: integer, required: true }]
    outputs: [{ name: n, type: integer }, { name: label, type: string }]
clients:
  - clientId: limited
    clientSecret: pw
    scopes: [contacts:read]
`;

describe('sim fixtures', () => {
  it('derives generated contacts from the id, about 5% not eligible', () => {
    let notEligible = 0;
    for (let n = 1; n <= 10_000; n++) {
      const contact = generatedContact(`c-${String(n).padStart(6, '0')}`, 10_000);
      assert.ok(contact);
      if (contact.suppressionStatus !== 'SUBSCRIBED') notEligible++;
    }
    assert.equal(notEligible, 500);
    assert.equal(generatedContact('c-010001', 10_000), undefined);
    assert.equal(generatedContact('missing-c-000001', 10_000), undefined);
  });

  it('handles millions of contacts without materialising them', () => {
    const store = createFixtureStore({ contacts: 5_000_000, clientId: 'a', clientSecret: 'b' });
    assert.equal(store.contact('c-4999999')?.suppressionStatus, 'SUBSCRIBED');
    assert.equal(store.contact('c-5000001'), undefined);
  });

  it('reads a YAML file that extends and overrides the defaults', () => {
    const fixtures = parseFixtures(YAML_FIXTURES, 'inline.yaml');
    const store = createFixtureStore({
      contacts: 10,
      clientId: 'sim-client',
      clientSecret: 'sim-secret',
      fixtures,
    });
    assert.equal(store.contact('vip-1')?.tier, 'gold');
    assert.equal(store.contact('c-000001')?.id, 'c-000001');
    assert.equal(store.journey('j-welcome')?.state, 'PAUSED');
    assert.equal(store.journey('j-paused')?.state, 'PAUSED');
    assert.equal(store.dataAction('da-extra')?.inputs[0]?.required, true);
    assert.equal(store.dataAction('da-order-sync')?.mode, 'async');
    assert.deepEqual(store.client('limited')?.scopes, ['contacts:read']);
    assert.equal(store.client('sim-client')?.clientSecret, 'sim-secret');
  });

  it('reports invalid fixture files with paths', () => {
    assert.throws(
      () => parseFixtures('journeys: [{ id: j, state: RUNNING }]', 'bad.yaml'),
      (err: unknown) => err instanceof SimOptionsError && err.issues[0]!.includes('journeys.0.state'),
    );
    assert.throws(() => parseFixtures('{ not yaml', 'broken.yaml'), SimOptionsError);
  });
});
