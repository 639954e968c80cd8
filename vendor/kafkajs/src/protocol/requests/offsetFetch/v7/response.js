const Decoder = require('../../../decoder')
const { parse } = require('../v2/response')

/**
 * Added by the cxone-connector fork (CHANGES.md): KIP-447.
 *
 * OffsetFetch Response (Version: 7) => throttle_time_ms [topics] error_code TAG_BUFFER
 *   throttle_time_ms => INT32
 *   topics => name [partitions] TAG_BUFFER
 *     name => COMPACT_STRING
 *     partitions => partition_index committed_offset committed_leader_epoch metadata error_code TAG_BUFFER
 *       partition_index => INT32
 *       committed_offset => INT64
 *       committed_leader_epoch => INT32
 *       metadata => COMPACT_NULLABLE_STRING
 *       error_code => INT16
 *   error_code => INT16
 */
const decode = async rawData => {
  const decoder = new Decoder(rawData)
  decoder.readTaggedFields()
  const throttleTime = decoder.readInt32()
  const responses = decoder.readUVarIntArray(decodeTopic)
  const errorCode = decoder.readInt16()
  decoder.readTaggedFields()
  return { throttleTime: 0, clientSideThrottleTime: throttleTime, responses, errorCode }
}

const decodeTopic = decoder => {
  const topic = { topic: decoder.readUVarIntString(), partitions: decoder.readUVarIntArray(decodePartition) }
  decoder.readTaggedFields()
  return topic
}

const decodePartition = decoder => {
  const partition = {
    partition: decoder.readInt32(),
    offset: decoder.readInt64().toString(),
    leaderEpoch: decoder.readInt32(),
    metadata: decoder.readUVarIntString(),
    errorCode: decoder.readInt16(),
  }
  decoder.readTaggedFields()
  return partition
}

module.exports = { decode, parse }
