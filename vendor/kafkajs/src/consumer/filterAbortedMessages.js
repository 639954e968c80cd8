const Long = require('../utils/long')
const ABORTED_MESSAGE_KEY = Buffer.from([0, 0, 0, 0])

const isAbortMarker = ({ key, isControlRecord }) => {
  // Only a control record can be a marker; handle null/undefined keys.
  if (!isControlRecord || !key) return false
  // Cast key to buffer defensively
  return Buffer.from(key).equals(ABORTED_MESSAGE_KEY)
}

/**
 * Remove messages marked as aborted according to the aborted transactions list.
 *
 * Patched (cxone-connector fork, CHANGES.md): like the Java consumer, the aborted
 * transactions are taken in order of their first offset, and every one that has begun by a
 * message's offset is active for it. The original took the list as sorted and activated at most
 * one transaction per message, so with several transactional producers interleaved in a partition
 * a fetch that started inside two aborted transactions returned records of one of them.
 *
 * @param {Message[]} messages
 * @param {Transaction[]} [abortedTransactions]
 * @returns {Message[]} Messages which did not participate in an aborted transaction
 */
module.exports = ({ messages, abortedTransactions }) => {
  if (!abortedTransactions || !abortedTransactions.length) {
    return messages
  }

  const remainingAbortedTransactions = [...abortedTransactions].sort((a, b) =>
    Long.fromValue(a.firstOffset).compare(Long.fromValue(b.firstOffset))
  )
  const currentAbortedTransactions = new Set()

  return messages.filter(message => {
    const offset = Long.fromValue(message.offset)
    while (
      remainingAbortedTransactions.length &&
      offset.gte(remainingAbortedTransactions[0].firstOffset)
    ) {
      currentAbortedTransactions.add(String(remainingAbortedTransactions.shift().producerId))
    }

    const { producerId, inTransaction } = message.batchContext

    if (isAbortMarker(message)) {
      // Transaction is over, we no longer need to ignore messages from this producer
      currentAbortedTransactions.delete(String(producerId))
      return true
    }
    return !(inTransaction && currentAbortedTransactions.has(String(producerId)))
  })
}
