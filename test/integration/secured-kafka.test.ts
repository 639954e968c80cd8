/**
 * The connector on a secured Kafka (the stack's SASL_SSL and mTLS listeners,
 * StandardAuthorizer): a principal missing any one of the ACLs docs/security.md lists
 * fails at start, naming the permission and the resource, before it consumes
 * anything; a wrong password, an untrusted certificate and a missing client
 * certificate each fail with their own message; OAUTHBEARER works against the
 * broker's own JWT validation with tokens from an OIDC token endpoint.
 */
import assert from 'node:assert/strict';
import { createPrivateKey, createSign, randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { generateEvents, produceEvents } from '../../devkit/cdp-events.ts';
import { groupLag } from '../../devkit/group-lag.ts';
import { grantConnectorAcls, revokeAllAcls, securedKafka } from '../../devkit/secured-kafka.ts';
import { validateConfig } from '../../src/config/load-config.ts';
import type { ConnectorConfig } from '../../src/config/schema.ts';
import type { AclNeed } from '../../src/contracts/kafka-access.ts';
import { requiredAcls, type AclPlan } from '../../src/kafka/required-acls.ts';
import { readTopicToEnd } from '../../src/replay/read-topic.ts';
import { createHarness, type Harness } from '../support/connector-harness.ts';
import { testStack } from '../support/stack-env.ts';
import { waitFor } from '../support/wait-for.ts';
import { createTopics } from '../../src/kafka/create-topics.ts';
import { dedupTopicConfig } from '../../src/source/topic-setup.ts';
import { writtenTopics } from '../../src/config/written-topics.ts';

const stack = testStack();
const root = new URL('../../', import.meta.url).pathname;
const execFileAsync = promisify(execFile);
const { security } = stack.secure;

function planOf(config: ConnectorConfig): AclPlan {
  return {
    groupId: config.kafka.groupId,
    transactionalIdPrefix: config.kafka.groupId,
    inputTopics: config.kafka.inputTopics,
    outputTopics: writtenTopics(config.kafka.topics),
    dedupTopic: config.kafka.topics.dedup,
    createTopics: true,
  };
}

/** The harness's config with the kafka section pointed at a secured listener. */
function securedConfig(harness: Harness, kafka: Record<string, unknown>): ConnectorConfig {
  return validateConfig({ ...harness.config, kafka: { ...harness.config.kafka, ...kafka } });
}

describe(
  'a principal missing one ACL fails at start, naming it, before consuming anything',
  { timeout: 60_000 },
  () => {
    const limited = securedKafka(stack.secure, 'scram', 'limited');
    const cases: { lacks: string; except: (need: AclNeed, plan: AclPlan) => boolean; expect: RegExp }[] = [
      {
        lacks: 'READ on the input topic',
        except: (n, p) => n.resource === 'Topic' && n.operation === 'READ' && n.name === p.inputTopics[0],
        expect: /lacks READ on Topic "it-[0-9a-f]+\.events"/,
      },
      {
        lacks: 'WRITE on an output topic',
        except: (n, p) => n.resource === 'Topic' && n.operation === 'WRITE' && n.name === p.outputTopics[0],
        expect: /lacks WRITE on Topic "it-[0-9a-f]+\.results"/,
      },
      {
        lacks: 'READ on the consumer group',
        except: (n, p) => n.resource === 'Group' && n.name === p.groupId,
        expect: /lacks READ on Group "it-[0-9a-f]+"/,
      },
      {
        lacks: 'WRITE on the transactional-id prefix',
        except: (n) => n.resource === 'TransactionalId',
        expect: /lacks WRITE on TransactionalId prefix "it-[0-9a-f]+"/,
      },
      {
        lacks: 'DESCRIBE_CONFIGS on the dedup topic',
        except: (n, p) => n.operation === 'DESCRIBE_CONFIGS' && n.name === p.dedupTopic,
        expect: /lacks DESCRIBE_CONFIGS on Topic "it-[0-9a-f]+\.dedup"/,
      },
      {
        lacks: 'CREATE for the output topics',
        except: (n) => n.operation === 'CREATE',
        expect: /lacks CREATE on Topic "it-[0-9a-f]+\.results, /,
      },
    ];

    for (const { lacks, except, expect } of cases) {
      it(`lacking ${lacks}`, async () => {
        const harness = await createHarness(stack, 1);
        try {
          await revokeAllAcls(harness.admin, limited.principal);
          const config = securedConfig(harness, limited.kafka);
          const plan = planOf(config);
          const granted = await grantConnectorAcls(harness.admin, limited.principal, plan, (n) =>
            except(n, plan),
          );
          const lacking = requiredAcls(plan).filter((n) => except(n, plan));
          assert.equal(
            lacking.length,
            lacks.startsWith('CREATE') ? writtenTopics(config.kafka.topics).length + 1 : 1,
          );
          assert.equal(granted.length, requiredAcls(plan).length - lacking.length);
          await produceEvents(
            harness.kafka,
            stack.registryUrl,
            harness.input,
            generateEvents({ count: 3, contacts: 1, prefix: `acl-${harness.id}` }),
          );
          await assert.rejects(harness.startConnector(config), (error: Error) => {
            assert.match(error.message, /^cannot start: /);
            assert.match(error.message, expect);
            assert.match(error.message, /docs\/security\.md "Kafka ACLs"/);
            return true;
          });
          // Nothing consumed: no offset committed for the group, no result written.
          assert.equal(await groupLag(harness.admin, config.kafka.groupId, harness.input), 3);
          const topics = await harness.admin.listTopics();
          if (topics.includes(config.kafka.topics.results))
            assert.equal(
              (await readTopicToEnd(harness.kafka, config.kafka.topics.results, 20_000)).length,
              0,
            );
        } finally {
          await revokeAllAcls(harness.admin, limited.principal);
          await harness.close();
        }
      });
    }
  },
);

describe('each way a secured connection fails has its own message', { timeout: 45_000 }, () => {
  let harness: Harness;
  before(async () => {
    harness = await createHarness(stack, 1);
  });
  after(async () => harness.close());

  it('a wrong SCRAM password: KAFKA_AUTH_FAILED, naming the user, never the password', async () => {
    const { kafka } = securedKafka(stack.secure, 'scram');
    const wrong = 'not-the-password-9f3a';
    const config = securedConfig(harness, {
      ...kafka,
      sasl: { ...(kafka['sasl'] as object), password: wrong },
    });
    await assert.rejects(harness.startConnector(config), (error: Error & { cause?: { code?: string } }) => {
      assert.equal(error.cause?.code, 'KAFKA_AUTH_FAILED');
      assert.match(
        error.message,
        /the brokers refused SASL scram-sha-512 authentication as kafka.sasl.username "connector"/,
      );
      assert.doesNotMatch(error.message, new RegExp(wrong));
      return true;
    });
  });

  it('a broker certificate from a CA that is not configured: KAFKA_TLS_UNTRUSTED, set kafka.ssl.ca', async () => {
    const { kafka } = securedKafka(stack.secure, 'scram');
    const config = securedConfig(harness, {
      ...kafka,
      ssl: { ca: readFileSync(security.otherCaFile, 'utf8') },
    });
    await assert.rejects(harness.startConnector(config), (error: Error & { cause?: { code?: string } }) => {
      assert.equal(error.cause?.code, 'KAFKA_TLS_UNTRUSTED');
      assert.match(
        error.message,
        /the broker's TLS certificate is not trusted \([A-Z_]+\): set kafka.ssl.ca/,
      );
      return true;
    });
  });

  it('the mTLS listener without a client certificate: asks for kafka.ssl.cert and key', async () => {
    const config = securedConfig(harness, {
      brokers: [stack.secure.mtlsBootstrap],
      ssl: { ca: readFileSync(security.caFile, 'utf8') },
    });
    await assert.rejects(harness.startConnector(config), (error: Error & { cause?: { code?: string } }) => {
      assert.equal(error.cause?.code, 'KAFKA_AUTH_FAILED');
      assert.match(error.message, /asks for a client certificate; set kafka.ssl.cert and kafka.ssl.key/);
      return true;
    });
  });
});

/** A JWT as an OIDC provider issues it, signed with the key whose JWKS the broker trusts. */
function mintJwt(subject: string, lifetimeS: number): string {
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const header = b64({ alg: 'RS256', typ: 'JWT', kid: security.oauth.kid });
  const claims = b64({
    sub: subject,
    iss: security.oauth.issuer,
    aud: security.oauth.audience,
    iat: now,
    exp: now + lifetimeS,
    scope: 'kafka',
  });
  const signature = createSign('RSA-SHA256')
    .update(`${header}.${claims}`)
    .sign(createPrivateKey(readFileSync(security.oauth.signingKeyFile)))
    .toString('base64url');
  return `${header}.${claims}.${signature}`;
}

describe(
  'OAUTHBEARER: tokens from an OIDC endpoint, validated by the broker against its JWKS',
  { timeout: 45_000 },
  () => {
    let harness: Harness;
    let oidc: Server;
    let tokenUrl: string;
    const requests: { authorization: string | undefined; body: string }[] = [];
    const clientSecret = `oidc-${randomUUID()}`;
    const subject = `oauth-${randomUUID().slice(0, 6)}`;

    before(async () => {
      harness = await createHarness(stack, 2);
      oidc = createServer((req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        req.on('end', () => {
          requests.push({ authorization: req.headers.authorization, body });
          const expected = `Basic ${Buffer.from(`kafka-client:${clientSecret}`).toString('base64')}`;
          if (req.headers.authorization !== expected) {
            res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
            return;
          }
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(
              JSON.stringify({ access_token: mintJwt(subject, 600), token_type: 'Bearer', expires_in: 600 }),
            );
        });
      });
      await new Promise<void>((resolve) => oidc.listen(0, '127.0.0.1', resolve));
      tokenUrl = `http://127.0.0.1:${(oidc.address() as { port: number }).port}/oauth2/token`;
    });
    after(async () => {
      await harness.close();
      await new Promise<void>((resolve) => oidc.close(() => resolve()));
    });

    function oauthConfig(secret: string): ConnectorConfig {
      return securedConfig(harness, {
        brokers: [stack.secure.saslSslBootstrap],
        ssl: { ca: readFileSync(security.caFile, 'utf8') },
        sasl: {
          mechanism: 'oauthbearer',
          tokenUrl,
          // The test IdP is plain HTTP on loopback; a real one must be https.
          allowInsecureHttp: true,
          clientId: 'kafka-client',
          clientSecret: secret,
          scope: 'kafka',
        },
      });
    }

    it('the pipeline runs as the token subject, with only its ACLs', async () => {
      const config = oauthConfig(clientSecret);
      await grantConnectorAcls(harness.admin, `User:${subject}`, planOf(config));
      const events = generateEvents({ count: 10, contacts: 4, prefix: `oauth-${harness.id}` });
      await produceEvents(harness.kafka, stack.registryUrl, harness.input, events);
      await harness.startConnector(config);
      await waitFor('the connector to commit every input record', async () =>
        (await groupLag(harness.admin, config.kafka.groupId, harness.input)) === 0 ? true : undefined,
      );
      assert.equal((await readTopicToEnd(harness.kafka, config.kafka.topics.results)).length, events.length);
      assert.ok(requests.length >= 1, 'the token endpoint was asked');
      assert.ok(
        requests.every((r) => /grant_type=client_credentials/.test(r.body) && /scope=kafka/.test(r.body)),
      );
      // Cached: one token serves every connection of every client (admin, consumer, producers).
      assert.ok(requests.length <= 2, `one token for all connections (asked ${requests.length} times)`);
    });

    it('a client secret the token endpoint refuses: its own message, without the secret', async () => {
      await assert.rejects(harness.startConnector(oauthConfig('wrong-secret-4d1c')), (error: Error) => {
        assert.match(
          error.message,
          /token endpoint kafka.sasl.tokenUrl .* refused the token request: HTTP 401 \(invalid_client\)/,
        );
        assert.doesNotMatch(error.message, /wrong-secret-4d1c/);
        return true;
      });
    });
  },
);

describe('cxone-connector check on the secured stack', { timeout: 45_000 }, () => {
  const limited = securedKafka(stack.secure, 'scram', 'limited');
  let harness: Harness;
  let configFile: string;
  let plan: AclPlan;

  before(async () => {
    harness = await createHarness(stack, 2);
    const config = securedConfig(harness, {
      ...limited.kafka,
      sasl: { ...(limited.kafka['sasl'] as object), password: '${env:KAFKA_PASSWORD}' },
    });
    plan = planOf(config);
    // The topics exist (made beforehand, as many estates do), so WRITE can be probed on each.
    await createTopics(harness.admin, [
      ...plan.outputTopics.map((topic) => ({ topic, numPartitions: 2 })),
      {
        topic: plan.dedupTopic,
        numPartitions: 2,
        configEntries: dedupTopicConfig(7 * 86_400_000),
      },
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'cxone-check-'));
    configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, JSON.stringify(config));
  });
  after(async () => {
    await revokeAllAcls(harness.admin, limited.principal);
    await harness.close();
  });

  const check = () =>
    execFileAsync(process.execPath, [join(root, 'src/cli.ts'), 'check', '--config', configFile], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        KAFKA_PASSWORD: security.users.limited,
        CXONE_CLIENT_SECRET: 'sim-secret',
      },
    }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );

  it('one ACL missing: ✗ on that line with the command that grants it, exit 1', async () => {
    await revokeAllAcls(harness.admin, limited.principal);
    await grantConnectorAcls(
      harness.admin,
      limited.principal,
      plan,
      (n) => n.operation === 'WRITE' && n.name === plan.outputTopics[0],
    );
    const { code, stdout } = await check();
    process.stdout.write(
      `--- cxone-connector check, WRITE on ${plan.outputTopics[0]} missing:\n${stdout}---\n`,
    );
    assert.equal(code, 1);
    assert.match(
      stdout,
      /^✓ kafka.brokers .*: connected and authenticated \(SASL scram-sha-512 as "limited"\)/m,
    );
    assert.match(stdout, new RegExp(`^✓ input topic ${harness.input}: 2 partition\\(s\\)$`, 'm'));
    assert.match(stdout, new RegExp(`^✓ dedup topic ${plan.dedupTopic}: compacted`, 'm'));
    assert.match(
      stdout,
      new RegExp(
        `^✗ WRITE on Topic "${plan.outputTopics[0]}": denied[^\\n]*\\n    fix: grant it: kafka-acls.sh .* --operation Write --topic '${plan.outputTopics[0]}'$`,
        'm',
      ),
    );
    assert.match(stdout, new RegExp(`^✓ WRITE on Topic "${plan.outputTopics[1]}": granted$`, 'm'));
    assert.match(stdout, new RegExp(`^✓ READ on Group "${plan.groupId}": granted$`, 'm'));
    assert.match(stdout, /^✓ WRITE on TransactionalId prefix ".*": granted$/m);
    assert.match(stdout, /^✓ registry.url .*: reachable and authorized/m);
    assert.match(stdout, /^✓ CXone token \(cxone.auth.style basic\): issued$/m);
    assert.match(stdout, /^✓ route welcome: journey j-welcome: ACTIVE$/m);
    assert.match(stdout, /some checks failed/);
    assert.doesNotMatch(stdout, new RegExp(security.users.limited));
  });

  it('every ACL granted: all checks pass, exit 0', async () => {
    await grantConnectorAcls(harness.admin, limited.principal, plan);
    const { code, stdout } = await check();
    assert.equal(code, 0, stdout);
    assert.doesNotMatch(stdout, /^✗/m);
    assert.match(stdout, /all checks passed/);
  });
});
