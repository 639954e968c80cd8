const { KafkaJSMetadataNotLoaded } = require('../errors')
const { staleMetadata } = require('../protocol/error')
const groupMessagesPerPartition = require('./groupMessagesPerPartition')
const createTopicData = require('./createTopicData')
const responseSerializer = require('./responseSerializer')

const { keys } = Object

/**
 * @param {Object} options
 * @param {import("../../types").Logger} options.logger
 * @param {import("../../types").Cluster} options.cluster
 * @param {ReturnType<import("../../types").ICustomPartitioner>} options.partitioner
 * @param {import("./eosManager").EosManager} options.eosManager
 * @param {import("../retry").Retrier} options.retrier
 */
module.exports = ({ logger, cluster, partitioner, eosManager, retrier }) => {
  return async ({ acks, timeout, compression, topicMessages }) => {
    /*
     * Patched (cxone-connector fork, CHANGES.md): progress is kept per partition, not
     * per broker. The original retried only the brokers without a response and re-sent every
     * partition each such broker led at the time of the retry. After a leader change (a broker
     * killed, its partitions moved to another that had already answered) that lost the moved
     * partitions' messages, or re-sent partitions that had succeeded elsewhere under a new
     * sequence number, which the broker then stored twice. Here a retry sends exactly the
     * partitions not acknowledged yet, to their current leaders, with the messages grouped once.
     */
    /** topic -> partition -> messages, grouped once so a retry never re-partitions them */
    const messagesPerTopic = new Map()
    /** `${topic}\u0000${partition}` -> that partition's response entries */
    const done = new Map()
    const doneKey = (topic, partition) => `${topic}\u0000${partition}`

    const createProducerRequests = async () => {
      await cluster.refreshMetadataIfNecessary()
      /** nodeId -> topic data of the partitions it leads that still wait for an acknowledgement */
      const perLeader = new Map()

      for (const { topic, messages } of topicMessages) {
        const partitionMetadata = cluster.findTopicPartitionMetadata(topic)

        if (partitionMetadata.length === 0) {
          logger.debug('Producing to topic without metadata', {
            topic,
            targetTopics: Array.from(cluster.targetTopics),
          })

          throw new KafkaJSMetadataNotLoaded('Producing to topic without metadata')
        }

        let messagesPerPartition = messagesPerTopic.get(topic)
        if (!messagesPerPartition) {
          messagesPerPartition = groupMessagesPerPartition({
            topic,
            partitionMetadata,
            messages,
            partitioner,
          })
          messagesPerTopic.set(topic, messagesPerPartition)
        }

        const pending = keys(messagesPerPartition).filter(
          partition => !done.has(doneKey(topic, partition))
        )
        const partitionsPerLeader = cluster.findLeaderForPartitions(topic, pending)
        for (const nodeId of keys(partitionsPerLeader)) {
          const list = perLeader.get(nodeId) || []
          list.push({ topic, partitions: partitionsPerLeader[nodeId], messagesPerPartition })
          perLeader.set(nodeId, list)
        }
      }

      return Array.from(perLeader.entries()).map(async ([nodeId, topicDataForBroker]) => {
        const broker = await cluster.findBroker({ nodeId })

        await eosManager.acquireBrokerLock(broker)
        try {
          // An earlier attempt still in flight when this one began may have finished meanwhile.
          const topicData = createTopicData(
            topicDataForBroker
              .map(entry => ({
                ...entry,
                partitions: entry.partitions.filter(p => !done.has(doneKey(entry.topic, p))),
              }))
              .filter(entry => entry.partitions.length > 0)
          )
          if (topicData.length === 0) return

          if (eosManager.isTransactional()) {
            await eosManager.addPartitionsToTransaction(topicData)
          }

          topicData.forEach(({ topic, partitions }) => {
            partitions.forEach(entry => {
              entry['firstSequence'] = eosManager.getSequence(topic, entry.partition)
              eosManager.updateSequence(topic, entry.partition, entry.messages.length)
            })
          })

          let response
          try {
            response = await broker.produce({
              transactionalId: eosManager.isTransactional()
                ? eosManager.getTransactionalId()
                : undefined,
              producerId: eosManager.getProducerId(),
              producerEpoch: eosManager.getProducerEpoch(),
              acks,
              timeout,
              compression,
              topicData,
            })
          } catch (e) {
            // Sent again with the same sequence numbers: what the broker did store is deduplicated.
            topicData.forEach(({ topic, partitions }) => {
              partitions.forEach(entry => {
                eosManager.updateSequence(topic, entry.partition, -entry.messages.length)
              })
            })
            throw e
          }

          const expectResponse = acks !== 0
          const formattedResponse = expectResponse ? responseSerializer(response) : []
          topicData.forEach(({ topic, partitions }) => {
            partitions.forEach(({ partition }) => {
              done.set(
                doneKey(topic, partition),
                formattedResponse.filter(
                  r => r.topicName === topic && Number(r.partition) === Number(partition)
                )
              )
            })
          })
        } finally {
          await eosManager.releaseBrokerLock(broker)
        }
      })
    }

    return retrier(async (bail, retryCount, retryTime) => {
      const topics = topicMessages.map(({ topic }) => topic)
      await cluster.addMultipleTargetTopics(topics)

      try {
        const requests = await createProducerRequests()
        await Promise.all(requests)
        return Array.from(done.values()).flat()
      } catch (e) {
        if (e.name === 'KafkaJSConnectionClosedError') {
          cluster.removeBroker({ host: e.host, port: e.port })
        }

        if (!cluster.isConnected()) {
          logger.debug(`Cluster has disconnected, reconnecting: ${e.message}`, {
            retryCount,
            retryTime,
          })
          await cluster.connect()
          await cluster.refreshMetadata()
          throw e
        }

        // cxone-connector fork: CONCURRENT_TRANSACTIONS (AddPartitionsToTxn while the
        // coordinator still writes the previous transaction's markers) says nothing about metadata:
        // retried without the Metadata request a refresh costs.
        if (e.type === 'CONCURRENT_TRANSACTIONS') throw e

        // This is necessary in case the metadata is stale and the number of partitions
        // for this topic has increased in the meantime
        if (
          staleMetadata(e) ||
          e.name === 'KafkaJSMetadataNotLoaded' ||
          e.name === 'KafkaJSConnectionError' ||
          e.name === 'KafkaJSConnectionClosedError' ||
          (e.name === 'KafkaJSProtocolError' && e.retriable)
        ) {
          logger.error(`Failed to send messages: ${e.message}`, { retryCount, retryTime })
          await cluster.refreshMetadata()
          throw e
        }

        logger.error(`${e.message}`, { retryCount, retryTime })
        if (e.retriable) throw e
        bail(e)
      }
    })
  }
}
