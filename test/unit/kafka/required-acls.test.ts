import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { writtenTopics } from '../../../src/config/written-topics.ts';
import { aclCommand, requiredAcls, type AclPlan } from '../../../src/kafka/required-acls.ts';
import { testConfig } from '../../../devkit/config-fixtures.ts';

const defaults: AclPlan = {
  groupId: 'cxone-connector',
  transactionalIdPrefix: 'cxone-connector',
  inputTopics: ['cdp.events'],
  // The config's default topic names, through the one list the connector writes to.
  outputTopics: writtenTopics(testConfig({ routes: [{ name: 'r', journeyId: 'j' }] }).kafka.topics),
  dedupTopic: 'cxone.dedup',
  createTopics: true,
};

describe('the ACLs the connector needs', () => {
  it('docs/security.md "Kafka ACLs" lists every one of them, as the command that grants it', () => {
    const readme = readFileSync(new URL('../../../docs/security.md', import.meta.url), 'utf8');
    for (const need of requiredAcls(defaults)) {
      const command = aclCommand(need, 'User:cxone-connector');
      assert.ok(readme.includes(command), `docs/security.md lists: ${command}`);
    }
  });

  it('READ on inputs, WRITE and DESCRIBE_CONFIGS on outputs, the dedup topic both ways, the group and its restore groups, the transactional ids', () => {
    const text = requiredAcls(defaults).map(
      (n) => `${n.operation} ${n.resource} ${n.prefixed ? 'prefix ' : ''}${n.name}`,
    );
    assert.deepEqual(text, [
      'READ Topic cdp.events',
      'WRITE Topic cxone.results',
      'DESCRIBE_CONFIGS Topic cxone.results',
      'WRITE Topic cxone.audit',
      'DESCRIBE_CONFIGS Topic cxone.audit',
      'WRITE Topic cxone.dlq',
      'DESCRIBE_CONFIGS Topic cxone.dlq',
      'WRITE Topic cxone.audit.checkpoints',
      'DESCRIBE_CONFIGS Topic cxone.audit.checkpoints',
      'READ Topic cxone.dedup',
      'WRITE Topic cxone.dedup',
      'DESCRIBE_CONFIGS Topic cxone.dedup',
      'CREATE Topic cxone.results',
      'CREATE Topic cxone.audit',
      'CREATE Topic cxone.dlq',
      'CREATE Topic cxone.audit.checkpoints',
      'CREATE Topic cxone.dedup',
      'READ Group cxone-connector',
      'READ Group prefix cxone-connector.',
      'WRITE TransactionalId prefix cxone-connector',
    ]);
    assert.equal(
      requiredAcls({ ...defaults, createTopics: false }).filter((n) => n.operation === 'CREATE').length,
      0,
    );
  });
});
