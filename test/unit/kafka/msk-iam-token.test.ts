/**
 * MSK IAM: what goes into the OAUTHBEARER exchange is the AWS signer's token, a
 * base64url SigV4-presigned kafka-cluster:Connect URL for the configured
 * region, signed with the configured credentials or, with none, the default
 * chain's (the pod's role: here its environment variables). MSK itself cannot
 * be reached from here; the broker side is AWS's.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { saslOptions } from '../../../src/kafka/kafka-client.ts';
import { createMskIamTokenProvider } from '../../../src/kafka/msk-iam-token.ts';

function presigned(token: string): URL {
  return new URL(Buffer.from(token, 'base64url').toString('utf8'));
}

describe('MSK IAM token', () => {
  it('static credentials from the config: a presigned Connect URL for the region and key', async () => {
    const provider = createMskIamTokenProvider({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIAEXAMPLEKEY', secretAccessKey: 'secret-key-value' },
    });
    const { value } = await provider();
    const url = presigned(value);
    assert.equal(url.host, 'kafka.eu-west-1.amazonaws.com');
    assert.equal(url.searchParams.get('Action'), 'kafka-cluster:Connect');
    assert.match(
      url.searchParams.get('X-Amz-Credential') ?? '',
      /^AKIAEXAMPLEKEY\/\d{8}\/eu-west-1\/kafka-cluster\/aws4_request$/,
    );
    assert.ok(url.searchParams.get('X-Amz-Signature'));
    assert.doesNotMatch(value + url.href, /secret-key-value/);
  });

  it('no credentials in the config: the default chain (the pod role, its environment)', async () => {
    const saved = { ...process.env };
    process.env.AWS_ACCESS_KEY_ID = 'AKIAPODROLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'pod-secret';
    process.env.AWS_SESSION_TOKEN = 'pod-session';
    try {
      const { value } = await createMskIamTokenProvider({ region: 'us-east-2' })();
      const url = presigned(value);
      assert.equal(url.host, 'kafka.us-east-2.amazonaws.com');
      assert.match(url.searchParams.get('X-Amz-Credential') ?? '', /^AKIAPODROLE\//);
      assert.equal(url.searchParams.get('X-Amz-Security-Token'), 'pod-session');
    } finally {
      process.env = saved;
    }
  });

  it('is what the kafkajs client sends as its OAUTHBEARER token, cached until near expiry', async () => {
    // saslOptions is what createKafkaClient hands kafkajs: MSK IAM is OAUTHBEARER on the wire.
    const sasl = saslOptions({
      mechanism: 'aws-msk-iam',
      region: 'eu-central-1',
      credentials: { accessKeyId: 'AKIAKAFKAJS', secretAccessKey: 'x' },
    });
    assert.equal(sasl.mechanism, 'oauthbearer');
    assert.ok('oauthBearerProvider' in sasl);
    const first = await sasl.oauthBearerProvider();
    const second = await sasl.oauthBearerProvider();
    assert.equal(first.value, second.value, 'one signature serves every connection until it nears expiry');
    assert.equal(presigned(first.value).host, 'kafka.eu-central-1.amazonaws.com');
  });
});
