const Encoder = require('../../../encoder')
const { OffsetFetch: apiKey } = require('../../apiKeys')

/**
 * Added by the cxone-connector fork (CHANGES.md): KIP-447's require_stable.
 *
 * OffsetFetch Request (Version: 7) => group_id [topics] require_stable TAG_BUFFER
 *   group_id => COMPACT_STRING
 *   topics => name [partition_indexes] TAG_BUFFER
 *     name => COMPACT_STRING
 *     partition_indexes => INT32
 *   require_stable => BOOLEAN
 *
 * With require_stable the broker answers UNSTABLE_OFFSET_COMMIT for a partition while an open
 * transaction holds an offset commit for it, instead of the offset that commit may replace.
 */
module.exports = ({ groupId, topics, requireStable = false }) => ({
  apiKey,
  apiVersion: 7,
  apiName: 'OffsetFetch',
  encode: async () => {
    return new Encoder()
      .writeUVarIntBytes()
      .writeUVarIntString(groupId)
      .writeUVarIntArray(topics === null ? null : topics.map(encodeTopic))
      .writeBoolean(requireStable)
      .writeUVarIntBytes()
  },
})

const encodeTopic = ({ topic, partitions }) => {
  return new Encoder()
    .writeUVarIntString(topic)
    .writeUVarIntArray(partitions.map(({ partition }) => new Encoder().writeInt32(partition)))
    .writeUVarIntBytes()
}
