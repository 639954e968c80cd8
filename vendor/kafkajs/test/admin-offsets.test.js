// admin.fetchTopicOffsets and fetchTopicOffsetsByTimestamp against a fake cluster: an answer that
// means stale metadata (a leader moved or not elected yet) is retried after a refresh, as an
// unknown topic was; any other error still ends the call at once.
const assert = require('node:assert/strict')
const { describe, it } = require('node:test')
const createAdmin = require('../src/admin')
const { silentLogger, protocolError } = require('./support/fakes')

const LEADER_NOT_AVAILABLE = 5
const NOT_LEADER_FOR_PARTITION = 6
const TOPIC_AUTHORIZATION_FAILED = 29

/** A cluster whose ListOffsets answers `failures` first (one per call), then offsets. */
const fakeCluster = failures => {
  const log = []
  return {
    log,
    async addTargetTopic() {},
    async refreshMetadataIfNecessary() {},
    async refreshMetadata() {
      log.push('refreshMetadata')
    },
    findTopicPartitionMetadata: () => [{ partitionId: 0 }, { partitionId: 1 }],
    async fetchTopicsOffset([{ topic, partitions }]) {
      log.push('listOffsets')
      const code = failures.shift()
      if (code !== undefined) throw protocolError(code)
      return [{ topic, partitions: partitions.map(({ partition }) => ({ partition, offset: '7' })) }]
    },
  }
}

const adminOf = cluster =>
  createAdmin({ logger: silentLogger(), cluster, retry: { retries: 3, initialRetryTime: 1 } })

describe('the fork retries offset listings on stale leaders', () => {
  for (const [name, code] of [
    ['NOT_LEADER_FOR_PARTITION', NOT_LEADER_FOR_PARTITION],
    ['LEADER_NOT_AVAILABLE', LEADER_NOT_AVAILABLE],
  ]) {
    it(`fetchTopicOffsets: ${name} (a topic just created) refreshes the metadata and asks again`, async () => {
      const cluster = fakeCluster([code])
      const offsets = await adminOf(cluster).fetchTopicOffsets('cxone.results')
      assert.deepEqual(offsets.map(o => o.high), ['7', '7'])
      assert.deepEqual(cluster.log, ['listOffsets', 'refreshMetadata', 'listOffsets', 'listOffsets'])
    })
  }

  it('fetchTopicOffsetsByTimestamp: NOT_LEADER_FOR_PARTITION is retried the same way', async () => {
    const cluster = fakeCluster([NOT_LEADER_FOR_PARTITION])
    const offsets = await adminOf(cluster).fetchTopicOffsetsByTimestamp('cdp.events', 1)
    assert.deepEqual(offsets.map(o => o.offset), ['7', '7'])
    assert.ok(cluster.log.includes('refreshMetadata'))
  })

  it('an authorization failure is not retried: it ends the call as it did', async () => {
    const cluster = fakeCluster([TOPIC_AUTHORIZATION_FAILED])
    await assert.rejects(adminOf(cluster).fetchTopicOffsets('cxone.results'), error => {
      assert.equal(error.type, 'TOPIC_AUTHORIZATION_FAILED')
      return true
    })
    assert.deepEqual(cluster.log, ['listOffsets'])
  })
})
