/**
 * What a partition's next transaction holds, decided from the worker's
 * window of slots (every record from the committed offset on, in offset
 * order): the finished records to commit, in offset order, at most
 * `maxRecordsPerCommit`; the new committed offset, i.e. the first record not
 * finished (the low watermark); and, in the offset's metadata, every record
 * finished past it (done-offsets.ts). A finished record further than the
 * metadata can reach from the low watermark waits for a later transaction.
 */
import type { InputRecord, RecordOutputs } from '../contracts/records.ts';
import { DONE_OFFSETS_SPAN, encodeDoneOffsets } from './done-offsets.ts';

export type SlotState = 'queued' | 'running' | 'parked' | 'done' | 'committing' | 'committed';

export interface Slot {
  offset: bigint;
  key: string;
  state: SlotState;
  record: InputRecord | undefined;
  outputs: RecordOutputs | undefined;
  bytes: number;
  timestampMs: number;
  attempts: number;
}

export interface CommitPlan {
  included: Slot[];
  nextOffset: bigint;
  metadata: string | null;
}

export interface Window {
  slots: readonly Slot[];
  /** Index of the first slot that is not committed yet. */
  head: number;
  /** The highest offset the worker has seen, undefined before the first record. */
  highest: bigint | undefined;
  committedOffset: bigint | undefined;
  /** Offsets a previous owner committed past its committed offset, not seen as slots yet. */
  restoredDone: ReadonlySet<bigint>;
}

const SPAN = BigInt(DONE_OFFSETS_SPAN);

/**
 * The next transaction, or undefined when there is nothing to commit. `force`: a transaction even
 * when nothing moved (it carries what else is due, an audit checkpoint), once an offset is committed.
 */
export function planNextCommit(
  window: Window,
  maxRecordsPerCommit: number,
  force = false,
): CommitPlan | undefined {
  const { slots, highest, committedOffset, restoredDone } = window;
  if (highest === undefined) {
    if (!force || committedOffset === undefined) return undefined;
    return {
      included: [],
      nextOffset: committedOffset,
      metadata: encodeDoneOffsets(committedOffset, restoredDone),
    };
  }
  const included: Slot[] = [];
  const doneAbove: bigint[] = [];
  let low: bigint | undefined;
  for (let i = window.head; i < slots.length; i++) {
    const slot = slots[i] as Slot;
    if (slot.state === 'committed') {
      if (low !== undefined) doneAbove.push(slot.offset);
      continue;
    }
    const fits = low === undefined || slot.offset - low <= SPAN;
    if (slot.state === 'done' && included.length < maxRecordsPerCommit && fits) {
      included.push(slot);
      if (low !== undefined) doneAbove.push(slot.offset);
      continue;
    }
    low ??= slot.offset;
  }
  if (low === undefined) {
    // Everything seen is committed or in this transaction; what a previous owner finished next is too.
    low = highest + 1n;
    while (restoredDone.has(low)) low++;
  }
  const nextOffset = low;
  for (const offset of restoredDone) if (offset > nextOffset) doneAbove.push(offset);
  if (included.length === 0 && nextOffset === committedOffset && !force) return undefined;
  return { included, nextOffset, metadata: encodeDoneOffsets(nextOffset, doneAbove) };
}
