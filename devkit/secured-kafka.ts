/**
 * How a run on the secured stack connects: the connector's `kafka` settings
 * for each way in the tests use (SASL_SSL with SCRAM-SHA-512, mutual TLS), and
 * the ACLs granted to its principal: exactly docs/security.md "Kafka ACLs", made from
 * the same list the connector checks (src/kafka/required-acls.ts).
 */
import kafkajs, { type Admin, type AclEntry } from 'kafkajs';
import { readFileSync } from 'node:fs';
import type { AclNeed } from '../src/contracts/kafka-access.ts';
import { requiredAcls, type AclPlan } from '../src/kafka/required-acls.ts';
import type { SecureEndpoints } from './stack/index.ts';
import type { RawConfig } from './stack-connector-config.ts';

// kafkajs is CommonJS: its enums come off the default export.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

export const KAFKA_SECURITY_MODES = ['scram', 'mtls'] as const;
export type KafkaSecurityMode = (typeof KAFKA_SECURITY_MODES)[number];

export interface SecuredKafka {
  /** The `kafka` config fragment: brokers, ssl, sasl. */
  kafka: RawConfig;
  /** Whom the broker sees, for ACLs. */
  principal: string;
}

export function securedKafka(
  secure: SecureEndpoints,
  mode: KafkaSecurityMode,
  user: 'connector' | 'limited' = 'connector',
): SecuredKafka {
  const { security } = secure;
  const ca = readFileSync(security.caFile, 'utf8');
  if (mode === 'mtls') {
    return {
      kafka: {
        brokers: [secure.mtlsBootstrap],
        ssl: {
          ca,
          cert: readFileSync(security.clientCertFile, 'utf8'),
          key: readFileSync(security.clientKeyFile, 'utf8'),
        },
      },
      principal: `User:${security.mtlsPrincipal}`,
    };
  }
  return {
    kafka: {
      brokers: [secure.saslSslBootstrap],
      ssl: { ca },
      sasl: {
        mechanism: 'scram-sha-512',
        username: user,
        password: security.users[user],
      },
    },
    principal: `User:${user}`,
  };
}

const RESOURCE = {
  Topic: AclResourceTypes.TOPIC,
  Group: AclResourceTypes.GROUP,
  TransactionalId: AclResourceTypes.TRANSACTIONAL_ID,
  Cluster: AclResourceTypes.CLUSTER,
} as const;

const OPERATION = {
  READ: AclOperationTypes.READ,
  WRITE: AclOperationTypes.WRITE,
  DESCRIBE: AclOperationTypes.DESCRIBE,
  DESCRIBE_CONFIGS: AclOperationTypes.DESCRIBE_CONFIGS,
  CREATE: AclOperationTypes.CREATE,
} as const;

function aclEntry(need: AclNeed, principal: string): AclEntry {
  return {
    resourceType: RESOURCE[need.resource],
    resourceName: need.resource === 'Cluster' ? 'kafka-cluster' : need.name,
    resourcePatternType: need.prefixed ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
    principal,
    host: '*',
    operation: OPERATION[need.operation],
    permissionType: AclPermissionTypes.ALLOW,
  };
}

/** Grants `principal` what the connector needs for `plan`, minus `except` (to test a missing one). */
export async function grantConnectorAcls(
  admin: Admin,
  principal: string,
  plan: AclPlan,
  except: (need: AclNeed) => boolean = () => false,
): Promise<AclNeed[]> {
  const needs = requiredAcls(plan).filter((need) => !except(need));
  await admin.createAcls({ acl: needs.map((need) => aclEntry(need, principal)) });
  await aclsApplied(
    admin,
    principal,
    needs.map((need) => aclEntry(need, principal)),
  );
  return needs;
}

/**
 * Waits until the broker's authorizer holds every one of `wanted` (none at all when it is empty). CreateAcls and DeleteAcls
 * answer once the controller has committed the change; a broker applies it a moment later, when it
 * replays the metadata log, and DescribeAcls answers from that applied state. A connector started
 * in between was refused an ACL that had just been granted (a CI run).
 */
async function aclsApplied(admin: Admin, principal: string, wanted: readonly AclEntry[]): Promise<void> {
  const keyOf = (e: Pick<AclEntry, 'resourceType' | 'resourceName' | 'resourcePatternType' | 'operation'>) =>
    `${e.resourceType}/${e.resourceName}/${e.resourcePatternType}/${e.operation}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const described = await admin.describeAcls(everyAclOf(principal));
    const held = new Set(
      described.resources.flatMap((r) => r.acls.map((acl) => keyOf({ ...r, operation: acl.operation }))),
    );
    const missing = wanted.filter((e) => !held.has(keyOf(e))).length;
    if (wanted.length === 0 ? held.size === 0 : missing === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `the broker has not applied the ACL change for ${principal} after 15 s (${held.size} held, ${missing} missing)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A filter matching every ACL of `principal`. */
const everyAclOf = (principal: string) => ({
  resourceType: AclResourceTypes.ANY,
  resourcePatternType: ResourcePatternTypes.ANY,
  principal,
  host: '*',
  operation: AclOperationTypes.ANY,
  permissionType: AclPermissionTypes.ANY,
});

/** Removes every ACL of `principal` (between tests that share a principal). */
export async function revokeAllAcls(admin: Admin, principal: string): Promise<void> {
  await admin.deleteAcls({
    filters: [everyAclOf(principal)],
  });
  await aclsApplied(admin, principal, []);
}
