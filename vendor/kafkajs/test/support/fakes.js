// A fake broker connection for the fork's retry and coordinator logic: brokers that record
// every request and answer from a script, and a cluster whose coordinators and partition
// leaders a test moves. Only the methods the code under test calls exist, so a new call
// fails loudly instead of passing against a default.
const { createErrorFromCode } = require('../../src/protocol/error')
const COORDINATOR_TYPES = require('../../src/protocol/coordinatorTypes')

const silentLogger = () => {
  const logger = { debug() {}, info() {}, warn() {}, error() {} }
  logger.namespace = () => logger
  return logger
}

/** The broker's answer for a protocol error code, as kafkajs's response parsers throw it. */
const protocolError = code => createErrorFromCode(code)

class FakeBroker {
  constructor(nodeId, log) {
    this.nodeId = nodeId
    this.log = log
    /** api -> queue of error codes (or functions) answered before the default success */
    this.script = {}
  }

  failNext(api, ...codes) {
    this.script[api] = [...(this.script[api] || []), ...codes]
    return this
  }

  async answer(api, args, success) {
    this.log.push({ nodeId: this.nodeId, api, args })
    const next = (this.script[api] || []).shift()
    if (next !== undefined) throw typeof next === 'function' ? next() : protocolError(next)
    return success
  }

  initProducerId(args) {
    return this.answer('initProducerId', args, { producerId: '4242', producerEpoch: 3 })
  }
  addPartitionsToTxn(args) {
    return this.answer('addPartitionsToTxn', args, { errors: [] })
  }
  addOffsetsToTxn(args) {
    return this.answer('addOffsetsToTxn', args, {})
  }
  txnOffsetCommit(args) {
    return this.answer('txnOffsetCommit', args, { topics: [] })
  }
  endTxn(args) {
    return this.answer('endTxn', args, {})
  }
  produce(args) {
    const topics = args.topicData.map(({ topic, partitions }) => ({
      topicName: topic,
      partitions: partitions.map(({ partition }) => ({ partition, errorCode: 0, baseOffset: '0' })),
    }))
    return this.answer('produce', args, { topics })
  }
}

/** Brokers 1..n; coordinators on broker 1 until a test moves them. */
const fakeCluster = ({ brokers = 2, leaders = {} } = {}) => {
  const log = []
  const lookups = []
  const nodes = new Map()
  for (let id = 1; id <= brokers; id++) nodes.set(id, new FakeBroker(id, log))
  const coordinator = { [COORDINATOR_TYPES.GROUP]: 1, [COORDINATOR_TYPES.TRANSACTION]: 1 }
  /** topic -> partition -> leader node id */
  const leadersNow = JSON.parse(JSON.stringify(leaders))
  /** applied by the next refreshMetadata, as a leader election the client learns of */
  let nextLeaders = null

  const cluster = {
    retry: { initialRetryTime: 1, maxRetryTime: 5, retries: 5, factor: 0, multiplier: 1 },
    targetTopics: new Set(),
    log,
    lookups,
    broker: id => nodes.get(id),
    moveCoordinator: (type, nodeId) => (coordinator[type] = nodeId),
    electOnRefresh: next => (nextLeaders = next),
    async refreshMetadataIfNecessary() {},
    async refreshMetadata() {
      if (nextLeaders) Object.assign(leadersNow, JSON.parse(JSON.stringify(nextLeaders)))
      nextLeaders = null
    },
    async addMultipleTargetTopics(topics) {
      topics.forEach(t => cluster.targetTopics.add(t))
    },
    isConnected: () => true,
    async findGroupCoordinator({ groupId, coordinatorType }) {
      lookups.push({ groupId, coordinatorType })
      return nodes.get(coordinator[coordinatorType])
    },
    async findBroker({ nodeId }) {
      const broker = nodes.get(Number(nodeId))
      if (!broker) throw new Error(`no broker ${nodeId}`)
      return broker
    },
    findTopicPartitionMetadata: topic =>
      Object.entries(leadersNow[topic] || {}).map(([partitionId, leader]) => ({
        partitionId: Number(partitionId),
        leader,
      })),
    findLeaderForPartitions(topic, partitions) {
      const perLeader = {}
      for (const p of partitions) {
        const leader = leadersNow[topic][p]
        ;(perLeader[leader] = perLeader[leader] || []).push(Number(p))
      }
      return perLeader
    },
  }
  return cluster
}

module.exports = { fakeCluster, silentLogger, protocolError, COORDINATOR_TYPES }
