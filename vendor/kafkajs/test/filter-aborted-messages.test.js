// read_committed's abort filter with transactional producers interleaved in one partition,
// as the connector's instances interleave in its output topics.
const assert = require('node:assert/strict')
const { describe, it } = require('node:test')
const filterAbortedMessages = require('../src/consumer/filterAbortedMessages')

const ABORT = Buffer.from([0, 0, 0, 0])
const COMMIT = Buffer.from([0, 0, 0, 1])
const record = (offset, producerId, value) => ({
  offset: String(offset),
  key: null,
  value,
  isControlRecord: false,
  batchContext: { producerId: String(producerId), inTransaction: true },
})
const marker = (offset, producerId, key) => ({
  offset: String(offset),
  key,
  isControlRecord: true,
  batchContext: { producerId: String(producerId), inTransaction: true },
})
const values = messages => messages.filter(m => !m.isControlRecord).map(m => m.value)

describe('the read_committed abort filter', () => {
  it('drops both of two aborted transactions begun before the first message of a fetch', () => {
    // Producers 1 and 2 each open a transaction (offsets 0, 1) and both abort; producer 3 commits.
    const messages = [
      record(0, 1, 'p1-a'),
      record(1, 2, 'p2-a'),
      record(2, 3, 'p3-a'),
      record(3, 1, 'p1-b'),
      record(4, 2, 'p2-b'),
      marker(5, 1, ABORT),
      marker(6, 2, ABORT),
      marker(7, 3, COMMIT),
    ]
    // The broker's list is not in offset order.
    const abortedTransactions = [
      { producerId: '2', firstOffset: '1' },
      { producerId: '1', firstOffset: '0' },
    ]
    assert.deepEqual(values(filterAbortedMessages({ messages, abortedTransactions })), ['p3-a'])
  })

  it("keeps a producer's next transaction after its abort marker", () => {
    const messages = [record(0, 1, 'aborted'), marker(1, 1, ABORT), record(2, 1, 'committed'), marker(3, 1, COMMIT)]
    const abortedTransactions = [{ producerId: '1', firstOffset: '0' }]
    assert.deepEqual(values(filterAbortedMessages({ messages, abortedTransactions })), ['committed'])
  })

  it('never takes a data record whose key happens to be 0x00000000 for a marker', () => {
    const lookalike = { ...record(1, 1, 'aborted-too'), key: ABORT }
    const messages = [record(0, 1, 'aborted'), lookalike, marker(2, 1, ABORT)]
    const abortedTransactions = [{ producerId: '1', firstOffset: '0' }]
    assert.deepEqual(values(filterAbortedMessages({ messages, abortedTransactions })), [])
  })
})
