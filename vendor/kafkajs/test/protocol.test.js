// The fork's protocol additions against golden bytes written by Apache Kafka's own message
// classes (test/golden/GenerateGolden.java): every request encodes to exactly those bytes and
// every response, error answers included, decodes and parses as the broker means it.
const assert = require('node:assert/strict')
const { describe, it } = require('node:test')
const vectors = require('./golden/vectors.json')

const OffsetFetch = require('../src/protocol/requests/offsetFetch')
const TxnOffsetCommit = require('../src/protocol/requests/txnOffsetCommit')
const AddPartitionsToTxn = require('../src/protocol/requests/addPartitionsToTxn')

// kafkajs writes request header v1; a flexible version's request begins with the header v2
// tagged fields (one 0x00) and its response with the response header v1's.
const HEADER_TAGS = '00'
const encode = async request => (await request.encode()).buffer.toString('hex')
const responseBytes = (name, flexible) =>
  Buffer.from((flexible ? HEADER_TAGS : '') + vectors[name], 'hex')
const parseError = async (response, bytes) => {
  try {
    await response.parse(await response.decode(bytes))
  } catch (e) {
    return e
  }
  assert.fail('parse did not throw')
}

describe('OffsetFetch v7 (KIP-447 require_stable)', () => {
  const v7 = OffsetFetch.protocol({ version: 7 })

  it('is offered to the broker as the highest version', () => {
    assert.equal(Math.max(...OffsetFetch.versions.map(Number)), 7)
  })

  it('encodes a group, its partitions and require_stable as Kafka does', async () => {
    const { request } = v7({
      groupId: 'cxone-connector',
      topics: [{ topic: 'cdp.events', partitions: [{ partition: 0 }, { partition: 5 }] }],
      requireStable: true,
    })
    assert.equal(request.apiVersion, 7)
    assert.equal(await encode(request), HEADER_TAGS + vectors['offsetFetch.v7.request.requireStable'])
  })

  it('encodes all topics (null) without require_stable by default', async () => {
    const { request } = v7({ groupId: 'g', topics: null })
    assert.equal(await encode(request), HEADER_TAGS + vectors['offsetFetch.v7.request.allTopics'])
  })

  it('decodes offsets, metadata and a partition error', async () => {
    const { response } = v7({ groupId: 'g', topics: null })
    const data = await response.decode(responseBytes('offsetFetch.v7.response.partitionErrors', true))
    assert.equal(data.clientSideThrottleTime, 7)
    assert.equal(data.errorCode, 0)
    assert.deepEqual(data.responses, [
      {
        topic: 'cdp.events',
        partitions: [
          { partition: 0, offset: '42', leaderEpoch: -1, metadata: 'v1:done', errorCode: 0 },
          { partition: 5, offset: '-1', leaderEpoch: -1, metadata: null, errorCode: 88 },
        ],
      },
    ])
  })

  it('parses UNSTABLE_OFFSET_COMMIT as a retriable error, a group error as the group error', async () => {
    const { response } = v7({ groupId: 'g', topics: null })
    const unstable = await parseError(response, responseBytes('offsetFetch.v7.response.partitionErrors', true))
    assert.equal(unstable.type, 'UNSTABLE_OFFSET_COMMIT')
    assert.equal(unstable.retriable, true)
    const moved = await parseError(response, responseBytes('offsetFetch.v7.response.groupError', true))
    assert.equal(moved.type, 'NOT_COORDINATOR_FOR_GROUP')
    assert.equal(moved.code, 16)
  })
})

describe('TxnOffsetCommit v3 (KIP-447 group metadata)', () => {
  const v3 = TxnOffsetCommit.protocol({ version: 3 })
  const topics = [
    {
      topic: 'cdp.events',
      partitions: [
        { partition: 0, offset: '100', metadata: 'v1:AQ' },
        { partition: 3, offset: '5000000000' },
      ],
    },
  ]

  it('is offered to the broker as the highest version', () => {
    assert.equal(Math.max(...TxnOffsetCommit.versions.map(Number)), 3)
  })

  it("encodes the consumer's generation and member as Kafka does", async () => {
    const { request } = v3({
      transactionalId: 'cxone-connector-i0',
      groupId: 'cxone-connector',
      producerId: '4242',
      producerEpoch: 3,
      generationId: 12,
      memberId: 'member-1',
      groupInstanceId: null,
      topics,
    })
    assert.equal(request.apiVersion, 3)
    assert.equal(await encode(request), HEADER_TAGS + vectors['txnOffsetCommit.v3.request.withGroupMetadata'])
  })

  it('without group metadata sends generation -1 and an empty member (no generation check)', async () => {
    const { request } = v3({
      transactionalId: 't',
      groupId: 'g',
      producerId: '1',
      producerEpoch: 0,
      topics: [{ topic: 'x', partitions: [{ partition: 1, offset: '2' }] }],
    })
    assert.equal(await encode(request), HEADER_TAGS + vectors['txnOffsetCommit.v3.request.withoutGroupMetadata'])
  })

  it('carries a static member id', async () => {
    const { request } = v3({
      transactionalId: 't',
      groupId: 'g',
      producerId: '1',
      producerEpoch: 0,
      generationId: 4,
      memberId: 'm',
      groupInstanceId: 'pod-0',
      topics: [],
    })
    assert.equal(await encode(request), HEADER_TAGS + vectors['txnOffsetCommit.v3.request.staticMember'])
  })

  it('decodes an accepted commit', async () => {
    const { response } = v3({ topics: [] })
    const data = await response.parse(await response.decode(responseBytes('txnOffsetCommit.v3.response.ok', true)))
    assert.equal(data.clientSideThrottleTime, 3)
    assert.deepEqual(data.topics, [{ topic: 'cdp.events', partitions: [{ partition: 0, errorCode: 0 }] }])
  })

  it("parses a zombie's refusal as ILLEGAL_GENERATION, not retriable", async () => {
    const { response } = v3({ topics: [] })
    const bytes = responseBytes('txnOffsetCommit.v3.response.fenced', true)
    assert.deepEqual((await response.decode(bytes)).topics[0].partitions, [
      { partition: 0, errorCode: 22 },
      { partition: 1, errorCode: 25 },
    ])
    const error = await parseError(response, bytes)
    assert.equal(error.type, 'ILLEGAL_GENERATION')
    assert.equal(error.retriable, false)
  })
})

describe('AddPartitionsToTxn v1 (what transaction.addPartitions sends)', () => {
  const v1 = AddPartitionsToTxn.protocol({ version: 1 })

  it('encodes the transaction and its partitions as Kafka does', async () => {
    const { request } = v1({
      transactionalId: 'cxone-connector-i0',
      producerId: '4242',
      producerEpoch: 3,
      topics: [
        { topic: 'cxone.results', partitions: [0, 2] },
        { topic: 'cxone.audit', partitions: [1] },
      ],
    })
    assert.equal(await encode(request), vectors['addPartitionsToTxn.v1.request'])
  })

  it('parses CONCURRENT_TRANSACTIONS (retried by the fork) before a fenced epoch', async () => {
    const { response } = v1({ topics: [] })
    const bytes = responseBytes('addPartitionsToTxn.v1.response.errors', false)
    const error = await parseError(response, bytes)
    assert.equal(error.type, 'CONCURRENT_TRANSACTIONS')
    const data = await response.decode(bytes)
    assert.deepEqual(data.errors, [
      {
        topic: 'cxone.results',
        partitionErrors: [
          { partition: 0, errorCode: 51 },
          { partition: 2, errorCode: 47 },
        ],
      },
    ])
  })
})
