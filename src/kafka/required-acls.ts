/**
 * Every ACL the connector's principal needs, from the names in its config: the
 * one list that docs/security.md "Kafka ACLs", `cxone-connector check` and the secured
 * test stack all use. READ and WRITE imply DESCRIBE; WRITE on the
 * transactional ids implies the idempotent writes (KIP-679).
 */
import type { AclNeed } from '../contracts/kafka-access.ts';

export interface AclPlan {
  groupId: string;
  transactionalIdPrefix: string;
  inputTopics: readonly string[];
  outputTopics: readonly string[];
  dedupTopic: string;
  /** Whether the connector creates missing output and dedup topics (false when they are made beforehand). */
  createTopics: boolean;
}

export function requiredAcls(plan: AclPlan): AclNeed[] {
  const topic = (operation: AclNeed['operation'], name: string): AclNeed => ({
    operation,
    resource: 'Topic',
    name,
  });
  return [
    ...plan.inputTopics.map((t) => topic('READ', t)),
    ...plan.outputTopics.flatMap((t) => [topic('WRITE', t), topic('DESCRIBE_CONFIGS', t)]),
    topic('READ', plan.dedupTopic),
    topic('WRITE', plan.dedupTopic),
    topic('DESCRIBE_CONFIGS', plan.dedupTopic),
    ...(plan.createTopics ? [...plan.outputTopics, plan.dedupTopic].map((t) => topic('CREATE', t)) : []),
    { operation: 'READ', resource: 'Group', name: plan.groupId },
    // The dedup restorer's throwaway groups: <groupId>.dedup-restore-<uuid>.
    { operation: 'READ', resource: 'Group', name: `${plan.groupId}.`, prefixed: true },
    { operation: 'WRITE', resource: 'TransactionalId', name: plan.transactionalIdPrefix, prefixed: true },
  ];
}

/** The `kafka-acls.sh` line that grants one need to `principal` (e.g. User:cxone-connector). */
export function aclCommand(need: AclNeed, principal: string): string {
  const flag = {
    Topic: '--topic',
    Group: '--group',
    TransactionalId: '--transactional-id',
    Cluster: '--cluster',
  }[need.resource];
  const operation = need.operation === 'DESCRIBE_CONFIGS' ? 'DescribeConfigs' : titleCase(need.operation);
  return `kafka-acls.sh --bootstrap-server <broker> --command-config admin.properties --add --allow-principal ${principal} --operation ${operation} ${flag} '${need.name}'${need.prefixed ? ' --resource-pattern-type prefixed' : ''}`;
}

function titleCase(word: string): string {
  return word.charAt(0) + word.slice(1).toLowerCase();
}
