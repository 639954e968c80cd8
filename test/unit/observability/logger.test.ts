import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { hostname } from 'node:os';
import { createLogLevelControl, createLogger } from '../../../src/observability/logger.ts';
import { flushLogs, logLines } from '../../support/log-lines.ts';
import { startOpsServer } from '../../../src/observability/http-server.ts';
import { Registry } from 'prom-client';

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

const sinkLines = logLines;
const flush = flushLogs;

describe('log line shape', () => {
  it('level as a word, ISO-8601 time, hostname and instance id on every line', async () => {
    const { lines, sink } = sinkLines();
    const logger = createLogger({ level: 'info', instanceId: 'i-42' }, sink);
    logger.child({ component: 'dedup' }).warn({ topic: 't' }, 'something');
    await flush();
    const [line] = lines;
    assert.equal(line?.level, 'warn');
    assert.equal(typeof line?.time, 'string');
    assert.equal(new Date(String(line?.time)).toISOString(), line?.time);
    assert.equal(line?.hostname, hostname());
    assert.equal(line?.instance, 'i-42');
    assert.equal(line?.component, 'dedup');
  });
});

describe('log level at run time', () => {
  it('set and toggled on the root reaches child loggers made before; a wrong name is refused', async () => {
    const { lines, sink } = sinkLines();
    const logger = createLogger({ level: 'info' }, sink);
    const child = logger.child({ component: 'x' });
    const control = createLogLevelControl(logger);
    child.debug('hidden');
    assert.equal(control.toggleDebug(), 'debug');
    child.debug('shown');
    assert.equal(control.toggleDebug(), 'info');
    child.debug('hidden again');
    assert.throws(() => control.set('loud'), /"loud" is not a log level; use one of fatal, error/);
    await flush();
    assert.deepEqual(
      lines.map((l) => l.msg),
      ['log level changed', 'shown', 'log level changed'],
    );
  });

  it('GET and PUT /loglevel on the ops server', async () => {
    const { lines, sink } = sinkLines();
    const logger = createLogger({ level: 'info' }, sink);
    const control = createLogLevelControl(logger);
    const adminToken = 'an-admin-token-of-32-characters-0';
    const ops = await startOpsServer(
      new Registry(),
      { state: () => 'running' },
      { host: '127.0.0.1', port: 0, logLevel: control, adminToken },
    );
    const headers = { authorization: `Bearer ${adminToken}` };
    try {
      const url = `http://127.0.0.1:${ops.port}/loglevel`;
      assert.deepEqual(await (await fetch(url, { headers })).json(), { level: 'info' });
      const set = await fetch(url, { method: 'PUT', body: 'debug\n', headers });
      assert.equal(set.status, 200);
      assert.deepEqual(await set.json(), { level: 'debug' });
      logger.child({ c: 1 }).debug('now visible');
      const wrong = await fetch(url, { method: 'PUT', body: 'verbose', headers });
      assert.equal(wrong.status, 400);
      assert.match(await wrong.text(), /not a log level/);
      assert.equal(control.get(), 'debug');
      await flush();
      assert.ok(lines.some((l) => l.msg === 'now visible'));
    } finally {
      await ops.close();
    }
  });
});

describe('logged errors', () => {
  function capture(level: string) {
    let out = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        out += chunk.toString();
        done();
      },
    });
    return {
      logger: createLogger({ level }, sink),
      lines: () =>
        out
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>),
    };
  }

  it('carry type, message and code but no stack trace, not even of their cause, below debug', () => {
    const { logger, lines } = capture('info');
    const cause = Object.assign(new Error('broker down'), { code: 'ECONNREFUSED' });
    logger.error({ err: Object.assign(new Error('start failed', { cause }), { originalError: cause }) }, 'x');
    const [line] = lines();
    const text = JSON.stringify(line);
    assert.match(text, /start failed/);
    assert.match(text, /broker down/);
    assert.doesNotMatch(text, /"stack"|at .*logger\.test\.ts/);
  });

  it('carry their stack at debug, for whoever debugs', () => {
    const { logger, lines } = capture('debug');
    logger.error({ err: new Error('start failed') }, 'x');
    assert.match(String((lines()[0]?.err as { stack?: string }).stack), /logger\.test\.ts/);
  });
});
