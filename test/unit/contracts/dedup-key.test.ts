import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dedupRecordKey, parseDedupRecordKey } from '../../../src/contracts/dedup-key.ts';

describe('dedup record keys', () => {
  it('name the input topic, and read back whatever the idempotency key holds', () => {
    for (const key of ['welcome:evt-1', 'welcome:a/b:c', 'enrich:ext/42', 'r:']) {
      assert.deepEqual(parseDedupRecordKey(dedupRecordKey('cdp.events', key)), { topic: 'cdp.events', key });
    }
  });

  it('a key of the old format (no topic) is read as such, even when its event id holds a slash', () => {
    assert.deepEqual(parseDedupRecordKey('welcome:evt-1'), { topic: undefined, key: 'welcome:evt-1' });
    assert.deepEqual(parseDedupRecordKey('welcome:a/b'), { topic: undefined, key: 'welcome:a/b' });
  });
});
