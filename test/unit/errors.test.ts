import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConnectorError } from '../../src/errors.ts';
import {
  ConfigError,
  CxoneError,
  DecodeError,
  ERROR_CODES,
  FAILURE_CLASSES,
  KafkaOutputError,
  MappingError,
  errorCode,
  failureClass,
} from '../../src/errors.ts';

describe('error classes', () => {
  it('every code has exactly one failure class', () => {
    assert.deepEqual(Object.keys(FAILURE_CLASSES).sort(), [...ERROR_CODES].sort());
  });

  const rows: [ConnectorError, string][] = [
    [new DecodeError('DECODE_AVRO', 'corrupt'), 'record'],
    [new DecodeError('REGISTRY_UNAVAILABLE', 'down'), 'transient'],
    [new MappingError('IDENTIFIERS_MISSING', 'no email'), 'record'],
    [new CxoneError('CXONE_BAD_REQUEST', '400', { status: 400 }), 'record'],
    [new CxoneError('CXONE_UNPROCESSABLE', '422', { status: 422 }), 'record'],
    [new CxoneError('CXONE_AUTH_FAILED', '401', { status: 401 }), 'config'],
    [new CxoneError('CXONE_FORBIDDEN', '403', { status: 403 }), 'config'],
    [new CxoneError('CXONE_NOT_FOUND', '404 on a journey', { status: 404 }), 'config'],
    [new CxoneError('CXONE_TLS_UNTRUSTED', 'self-signed'), 'config'],
    [new CxoneError('CXONE_RATE_LIMITED', '429', { retryable: true }), 'transient'],
    [new CxoneError('CXONE_SERVER_ERROR', '503', { retryable: true }), 'transient'],
    // The flag wins: a token endpoint answering garbage once is worth a retry.
    [new CxoneError('CXONE_BAD_RESPONSE', 'not JSON', { retryable: true }), 'transient'],
    [new CxoneError('CXONE_BAD_RESPONSE', 'no access_token: check the token style'), 'config'],
    [new KafkaOutputError('OUTPUT_ENCODE_FAILED', 'bad record'), 'record'],
    [new KafkaOutputError('KAFKA_ERROR', 'broker down', { retryable: true }), 'transient'],
    [new ConfigError(['kafka.brokers: required']), 'config'],
  ];
  for (const [error, expected] of rows) {
    it(`${error.code}${error.retryable ? ' (retryable)' : ''} is a ${expected} fault`, () => {
      assert.equal(failureClass(error), expected);
    });
  }

  it('anything that is not a ConnectorError is transient and labelled UNEXPECTED', () => {
    assert.equal(failureClass(new TypeError('bug')), 'transient');
    assert.equal(errorCode(new TypeError('bug')), 'UNEXPECTED');
    assert.equal(errorCode(new MappingError('NO_ROUTE', 'x')), 'NO_ROUTE');
  });

  it('each subclass carries the code and stage it is given, and its cause', () => {
    const cause = new Error('root');
    const decode = new DecodeError('DECODE_MAGIC_BYTE', 'm', { cause });
    assert.equal(decode.code, 'DECODE_MAGIC_BYTE');
    assert.equal(decode.stage, 'decode');
    assert.equal(decode.cause, cause);
    assert.equal(new MappingError('MAPPING_FAILED', 'm').stage, 'mapping');
    assert.equal(new CxoneError('CXONE_TIMEOUT', 'm', { retryable: true }).stage, 'cxone');
    assert.equal(new KafkaOutputError('KAFKA_ERROR', 'm').stage, 'kafka');
    assert.equal(new KafkaOutputError('OUTPUT_ENCODE_FAILED', 'm').stage, 'output');
    assert.equal(new ConfigError(['a']).code, 'CONFIG_INVALID');
  });
});
