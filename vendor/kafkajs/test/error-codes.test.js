// Kafka's error codes past 88, the last one kafkajs 2.2.4 named: each is named and classified
// as kafka-clients names and classifies it (test/golden/errors.tsv, KafkaErrors.java).
const assert = require('node:assert/strict')
const { readFileSync } = require('node:fs')
const { join } = require('node:path')
const { describe, it } = require('node:test')
const { createErrorFromCode, errorCodes } = require('../src/protocol/error')

const kafka = readFileSync(join(__dirname, 'golden/errors.tsv'), 'utf8')
  .trim()
  .split('\n')
  .map(line => {
    const [code, type, retriable] = line.split('\t')
    return { code: Number(code), type, retriable: retriable === 'true' }
  })

describe("Kafka's newer error codes", () => {
  it('names every code Kafka has past 88, with its retriable flag', () => {
    assert.ok(kafka.length >= 39)
    for (const { code, type, retriable } of kafka) {
      const error = createErrorFromCode(code)
      assert.equal(error.type, type, `code ${code}`)
      assert.equal(error.retriable, retriable, `${type} retriable`)
    }
  })

  it('a fenced producer is PRODUCER_FENCED, not an unknown code, and is not retried', () => {
    const error = createErrorFromCode(90)
    assert.equal(error.type, 'PRODUCER_FENCED')
    assert.equal(error.retriable, false)
    assert.equal(createErrorFromCode(9999).type, 'KAFKAJS_UNKNOWN_ERROR_CODE')
  })

  it('each code appears once, and the codes kafkajs had keep their names', () => {
    const codes = errorCodes.map(e => e.code)
    assert.equal(new Set(codes).size, codes.length)
    assert.equal(createErrorFromCode(47).type, 'INVALID_PRODUCER_EPOCH')
    assert.equal(createErrorFromCode(16).type, 'NOT_COORDINATOR_FOR_GROUP')
    assert.equal(createErrorFromCode(82).type, 'FENCED_INSTANCE_ID')
  })
})
