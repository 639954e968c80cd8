// The transaction manager's coordinator handling (kept coordinators, a moved coordinator, a
// CONCURRENT_TRANSACTIONS answer) and KIP-447's group metadata, against fake broker connections.
const assert = require('node:assert/strict')
const { describe, it } = require('node:test')
const createEosManager = require('../src/producer/eosManager')
const { fakeCluster, silentLogger, COORDINATOR_TYPES } = require('./support/fakes')

const NOT_COORDINATOR = 16
const CONCURRENT_TRANSACTIONS = 51
const INVALID_PRODUCER_EPOCH = 47

const setUp = () => {
  const cluster = fakeCluster()
  const eos = createEosManager({
    logger: silentLogger(),
    cluster,
    transactional: true,
    transactionalId: 'cxone-connector-i0',
  })
  return { cluster, eos }
}

const oneTransaction = async (eos, metadata) => {
  eos.beginTransaction()
  await eos.addPartitionsToTransaction([{ topic: 'cxone.results', partitions: [{ partition: 0 }] }])
  await eos.sendOffsets({
    consumerGroupId: 'cxone-connector',
    topics: [{ topic: 'cdp.events', partitions: [{ partition: 0, offset: '10' }] }],
    consumerGroupMetadata: metadata,
  })
  await eos.commit()
}

const calls = (cluster, api) => cluster.log.filter(entry => entry.api === api)

describe('the fork keeps transaction and group coordinators between requests', () => {
  it('looks each coordinator up once, not before every request', async () => {
    const { cluster, eos } = setUp()
    await eos.initProducerId()
    await oneTransaction(eos)
    await oneTransaction(eos)
    assert.deepEqual(
      cluster.lookups.map(l => l.coordinatorType),
      [COORDINATOR_TYPES.TRANSACTION, COORDINATOR_TYPES.GROUP]
    )
    // Two transactions' requests all went to the one coordinator found.
    assert.equal(calls(cluster, 'endTxn').length, 2)
    assert.ok(cluster.log.every(entry => entry.nodeId === 1))
  })

  it('sends a request refused by a moved coordinator again to the one a fresh lookup names', async () => {
    const { cluster, eos } = setUp()
    await eos.initProducerId()
    cluster.broker(1).failNext('endTxn', NOT_COORDINATOR)
    cluster.moveCoordinator(COORDINATOR_TYPES.TRANSACTION, 2)
    await oneTransaction(eos)
    assert.deepEqual(
      calls(cluster, 'endTxn').map(c => c.nodeId),
      [1, 2]
    )
    assert.equal(cluster.lookups.filter(l => l.coordinatorType === COORDINATOR_TYPES.TRANSACTION).length, 2)
    // And keeps the new one.
    await oneTransaction(eos)
    assert.deepEqual(
      calls(cluster, 'endTxn').map(c => c.nodeId),
      [1, 2, 2]
    )
  })

  it('retries AddOffsetsToTxn while the coordinator answers CONCURRENT_TRANSACTIONS', async () => {
    const { cluster, eos } = setUp()
    await eos.initProducerId()
    cluster.broker(1).failNext('addOffsetsToTxn', CONCURRENT_TRANSACTIONS, CONCURRENT_TRANSACTIONS)
    await oneTransaction(eos)
    assert.equal(calls(cluster, 'addOffsetsToTxn').length, 3)
    assert.equal(calls(cluster, 'txnOffsetCommit').length, 1)
    assert.equal(cluster.lookups.length, 2, 'the coordinator that answered is kept')
  })

  it('does not retry a fenced epoch, and keeps the coordinator that said so', async () => {
    const { cluster, eos } = setUp()
    await eos.initProducerId()
    cluster.broker(1).failNext('endTxn', INVALID_PRODUCER_EPOCH)
    await assert.rejects(oneTransaction(eos), e => e.type === 'INVALID_PRODUCER_EPOCH')
    assert.equal(calls(cluster, 'endTxn').length, 1)
    assert.equal(cluster.lookups.length, 2)
  })

  it('forgets a kept coordinator that cannot be reached and looks it up again', async () => {
    const { cluster, eos } = setUp()
    await eos.initProducerId()
    const connectionError = new Error('connect ECONNREFUSED')
    connectionError.name = 'KafkaJSConnectionError'
    cluster.broker(1).failNext('addPartitionsToTxn', () => connectionError)
    eos.beginTransaction()
    await assert.rejects(
      eos.addPartitionsToTransaction([{ topic: 'cxone.results', partitions: [{ partition: 0 }] }]),
      e => e.name === 'KafkaJSConnectionError'
    )
    cluster.moveCoordinator(COORDINATOR_TYPES.TRANSACTION, 2)
    await eos.addPartitionsToTransaction([{ topic: 'cxone.results', partitions: [{ partition: 0 }] }])
    assert.deepEqual(
      calls(cluster, 'addPartitionsToTxn').map(c => c.nodeId),
      [1, 2]
    )
  })
})

describe("KIP-447: the offsets carry the consumer's group metadata", () => {
  it("sends the owner's generation, member and instance id with TxnOffsetCommit", async () => {
    const { cluster, eos } = setUp()
    await eos.initProducerId()
    await oneTransaction(eos, { generationId: 12, memberId: 'member-1', groupInstanceId: 'pod-0' })
    const [commit] = calls(cluster, 'txnOffsetCommit')
    assert.equal(commit.args.generationId, 12)
    assert.equal(commit.args.memberId, 'member-1')
    assert.equal(commit.args.groupInstanceId, 'pod-0')
    assert.equal(commit.args.producerId, '4242')
    assert.equal(commit.args.producerEpoch, 3)
  })

  it('without metadata sends none (the broker then checks no generation)', async () => {
    const { cluster, eos } = setUp()
    await eos.initProducerId()
    await oneTransaction(eos)
    const [commit] = calls(cluster, 'txnOffsetCommit')
    assert.equal(commit.args.generationId, undefined)
    assert.equal(commit.args.memberId, undefined)
  })
})
