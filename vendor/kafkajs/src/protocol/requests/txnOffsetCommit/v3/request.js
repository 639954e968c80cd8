const Encoder = require('../../../encoder')
const { TxnOffsetCommit: apiKey } = require('../../apiKeys')

/**
 * Added by the cxone-connector fork (CHANGES.md): KIP-447 (consumer group fencing for transactions).
 *
 * TxnOffsetCommit Request (Version: 3) => transactional_id group_id producer_id producer_epoch generation_id member_id group_instance_id [topics] TAG_BUFFER
 *   transactional_id => COMPACT_STRING
 *   group_id => COMPACT_STRING
 *   producer_id => INT64
 *   producer_epoch => INT16
 *   generation_id => INT32
 *   member_id => COMPACT_STRING
 *   group_instance_id => COMPACT_NULLABLE_STRING
 *   topics => name [partitions] TAG_BUFFER
 *     name => COMPACT_STRING
 *     partitions => partition_index committed_offset committed_leader_epoch committed_metadata TAG_BUFFER
 *       partition_index => INT32
 *       committed_offset => INT64
 *       committed_leader_epoch => INT32
 *       committed_metadata => COMPACT_NULLABLE_STRING
 *
 * generationId -1 with memberId '' and groupInstanceId null is what a producer without the
 * consumer's group metadata sends: the broker then checks no generation, as in v0-v2.
 */
module.exports = ({
  transactionalId,
  groupId,
  producerId,
  producerEpoch,
  generationId = -1,
  memberId = '',
  groupInstanceId = null,
  topics,
}) => ({
  apiKey,
  apiVersion: 3,
  apiName: 'TxnOffsetCommit',
  encode: async () => {
    return (
      new Encoder()
        // The request header's tagged fields (header v2): kafkajs writes header v1.
        .writeUVarIntBytes()
        .writeUVarIntString(transactionalId)
        .writeUVarIntString(groupId)
        .writeInt64(producerId)
        .writeInt16(producerEpoch)
        .writeInt32(generationId)
        .writeUVarIntString(memberId)
        .writeUVarIntString(groupInstanceId)
        .writeUVarIntArray(topics.map(encodeTopic))
        .writeUVarIntBytes()
    )
  },
})

const encodeTopic = ({ topic, partitions }) => {
  return new Encoder()
    .writeUVarIntString(topic)
    .writeUVarIntArray(partitions.map(encodePartition))
    .writeUVarIntBytes()
}

const encodePartition = ({ partition, offset, metadata = null }) => {
  return new Encoder()
    .writeInt32(partition)
    .writeInt64(offset)
    .writeInt32(-1)
    .writeUVarIntString(metadata)
    .writeUVarIntBytes()
}
