// The producer's retry across a leader change, per partition: a fake cluster in which a
// broker refuses a partition it no longer leads and the refresh moves it to a broker that
// has already answered for its own partitions.
const assert = require('node:assert/strict')
const { describe, it } = require('node:test')
const createSendMessages = require('../src/producer/sendMessages')
const createRetry = require('../src/retry')
const { fakeCluster, silentLogger } = require('./support/fakes')

const NOT_LEADER_FOR_PARTITION = 6
const CONCURRENT_TRANSACTIONS = 51

const fakeEos = ({ transactional = false, addPartitions = async () => {} } = {}) => {
  const sequences = {}
  return {
    sequences,
    isTransactional: () => transactional,
    addPartitionsToTransaction: addPartitions,
    acquireBrokerLock: async () => {},
    releaseBrokerLock: async () => {},
    getSequence: (topic, partition) => sequences[`${topic}/${partition}`] || 0,
    updateSequence: (topic, partition, n) =>
      (sequences[`${topic}/${partition}`] = (sequences[`${topic}/${partition}`] || 0) + n),
    getTransactionalId: () => 't',
    getProducerId: () => '4242',
    getProducerEpoch: () => 3,
  }
}

const send = (cluster, eos) =>
  createSendMessages({
    logger: silentLogger(),
    cluster,
    partitioner: ({ message }) => message.partition,
    eosManager: eos,
    retrier: createRetry(cluster.retry),
  })({
    acks: -1,
    timeout: 1000,
    topicMessages: [
      {
        topic: 'out',
        messages: [
          { partition: 0, value: 'a' },
          { partition: 1, value: 'b' },
          { partition: 1, value: 'c' },
        ],
      },
    ],
  })

/** partition -> how many times its messages were sent, over every produce request */
const sentPerPartition = cluster => {
  const counts = {}
  for (const { api, args } of cluster.log) {
    if (api !== 'produce') continue
    for (const { partitions } of args.topicData)
      for (const { partition } of partitions) counts[partition] = (counts[partition] || 0) + 1
  }
  return counts
}

describe('a produce retry after a leader change', () => {
  it('sends the moved partition to its new leader, and nothing already acknowledged again', async () => {
    const cluster = fakeCluster({ leaders: { out: { 0: 1, 1: 2 } } })
    cluster.broker(2).failNext('produce', NOT_LEADER_FOR_PARTITION)
    cluster.electOnRefresh({ out: { 1: 1 } })
    const eos = fakeEos()

    const responses = await send(cluster, eos)

    assert.deepEqual(sentPerPartition(cluster), { 0: 1, 1: 2 })
    const produces = cluster.log.filter(e => e.api === 'produce')
    const last = produces[produces.length - 1]
    assert.equal(last.nodeId, 1, 'the retry went to the new leader')
    assert.deepEqual(last.args.topicData[0].partitions.map(p => p.partition), [1])
    assert.equal(last.args.topicData[0].partitions[0].firstSequence, 0, 'the same sequence again')
    assert.deepEqual(responses.map(r => r.partition).sort(), [0, 1])
    assert.deepEqual(eos.sequences, { 'out/0': 1, 'out/1': 2 })
  })

  it('retries CONCURRENT_TRANSACTIONS from AddPartitionsToTxn without a metadata refresh', async () => {
    const cluster = fakeCluster({ leaders: { out: { 0: 1, 1: 1 } } })
    let refreshes = 0
    const refresh = cluster.refreshMetadata
    cluster.refreshMetadata = async () => {
      refreshes++
      return refresh()
    }
    let refusals = 1
    const eos = fakeEos({
      transactional: true,
      addPartitions: async () => {
        if (refusals-- > 0) {
          const { createErrorFromCode } = require('../src/protocol/error')
          throw createErrorFromCode(CONCURRENT_TRANSACTIONS)
        }
      },
    })
    await send(cluster, eos)
    assert.equal(refreshes, 0)
    assert.deepEqual(sentPerPartition(cluster), { 0: 1, 1: 1 })
  })
})
