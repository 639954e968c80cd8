const Decoder = require('../../../decoder')
const { parse } = require('../v0/response')

/**
 * Added by the cxone-connector fork (CHANGES.md): KIP-447.
 *
 * TxnOffsetCommit Response (Version: 3) => throttle_time_ms [topics] TAG_BUFFER
 *   throttle_time_ms => INT32
 *   topics => name [partitions] TAG_BUFFER
 *     name => COMPACT_STRING
 *     partitions => partition_index error_code TAG_BUFFER
 *       partition_index => INT32
 *       error_code => INT16
 */
const decode = async rawData => {
  const decoder = new Decoder(rawData)
  // The response header's tagged fields (header v1).
  decoder.readTaggedFields()
  const throttleTime = decoder.readInt32()
  const topics = decoder.readUVarIntArray(decodeTopic)
  decoder.readTaggedFields()
  return { throttleTime: 0, clientSideThrottleTime: throttleTime, topics }
}

const decodeTopic = decoder => {
  const topic = { topic: decoder.readUVarIntString(), partitions: decoder.readUVarIntArray(decodePartition) }
  decoder.readTaggedFields()
  return topic
}

const decodePartition = decoder => {
  const partition = { partition: decoder.readInt32(), errorCode: decoder.readInt16() }
  decoder.readTaggedFields()
  return partition
}

module.exports = { decode, parse }
