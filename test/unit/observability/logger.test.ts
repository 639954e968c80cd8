import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from '../../../src/observability/logger.ts';

describe('log redaction', () => {
  it('no secret of any section survives when a config, a request or a client option is logged', () => {
    let out = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        out += chunk.toString();
        done();
      },
    });
    const logger = createLogger({ level: 'info' }, sink);
    const secrets = {
      cxone: 'S1-cxone-client-secret',
      accessKey: 'S2-access-key-secret',
      sasl: 'S3-sasl-password',
      oauth: 'S4-oauth-client-secret',
      aws: 'S5-aws-secret-access-key',
      session: 'S6-aws-session-token',
      key: '-----BEGIN PRIVATE KEY-----S7',
      keyPassword: 'S8-key-password',
      registry: 'S9-registry-password',
      bearer: 'S10-registry-bearer',
    };
    const config = {
      kafka: {
        sasl: {
          mechanism: 'scram-sha-512',
          username: 'u',
          password: secrets.sasl,
          clientSecret: secrets.oauth,
        },
        ssl: { ca: 'CA', key: secrets.key, keyPassword: secrets.keyPassword },
      },
      registry: { password: secrets.registry, bearerToken: secrets.bearer },
      cxone: { auth: { clientSecret: secrets.cxone, accessKeySecret: secrets.accessKey } },
    };
    logger.info({ config }, 'a whole config');
    logger.info({ kafka: config.kafka }, 'a kafka section');
    logger.info({ sasl: { secretAccessKey: secrets.aws, sessionToken: secrets.session } }, 'client options');
    logger.info({ request: { headers: { authorization: `Bearer ${secrets.bearer}` } } }, 'a request');
    for (const [name, value] of Object.entries(secrets))
      assert.ok(!out.includes(value), `${name} leaked: ${out}`);
    assert.match(out, /\[redacted\]/);
  });
});
