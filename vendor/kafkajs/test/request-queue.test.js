// The request queue schedules no timer when nothing waits and nothing throttles: no negative
// setTimeout (Node 24's TimeoutNegativeWarning, kafkajs#1751) and no idle 1 ms loop (#1704).
const assert = require('node:assert/strict')
const { describe, it } = require('node:test')
const RequestQueue = require('../src/network/requestQueue')
const { silentLogger } = require('./support/fakes')

const queue = () =>
  new RequestQueue({
    instrumentationEmitter: { emit() {} },
    maxInFlightRequests: 1,
    requestTimeout: 1000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: 'localhost:9092',
    logger: silentLogger(),
  })

describe('the request queue with nothing to do', () => {
  it('schedules no check, so setTimeout never sees a negative delay', () => {
    const delays = []
    const original = global.setTimeout
    global.setTimeout = (fn, ms, ...rest) => {
      delays.push(ms)
      return original(fn, ms, ...rest)
    }
    const q = queue()
    try {
      q.scheduleCheckPendingRequests()
      q.checkPendingRequests()
      assert.deepEqual(delays, [])
      assert.equal(q.throttleCheckTimeoutId, null)
    } finally {
      global.setTimeout = original
      q.destroy()
    }
  })

  it('still schedules a check for a pending request, and waits out a throttle', () => {
    const delays = []
    const original = global.setTimeout
    global.setTimeout = (fn, ms, ...rest) => {
      delays.push(ms)
      return original(fn, ms, ...rest)
    }
    const q = queue()
    try {
      q.maybeThrottle(200)
      q.scheduleCheckPendingRequests()
      assert.equal(delays.length, 1)
      assert.ok(delays[0] > 0 && delays[0] <= 200, `throttle delay ${delays[0]}`)
    } finally {
      global.setTimeout = original
      q.destroy()
    }
  })
})
