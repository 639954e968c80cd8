/**
 * The instance-wide bound on what is held in memory between fetch and commit:
 * records (and their bytes) that are queued, in flight, waiting on a retry or
 * done but not yet committed. Past either bound every partition stops being
 * fetched; fetching resumes once both are back under half (hysteresis, so a
 * busy instance does not flap). Whatever the backlog, memory stays bounded by
 * these plus one fetch response (`kafka.fetchMaxBytes`).
 */
export interface BufferBudget {
  add(records: number, bytes: number): void;
  remove(records: number, bytes: number): void;
  records(): number;
  isOver(): boolean;
}

export interface BufferBudgetOptions {
  maxRecords: number;
  maxBytes: number;
  /** Called when the budget goes over its bound, and again when it is back under half. */
  onOverChange?: (over: boolean) => void;
  onChange?: (records: number, bytes: number) => void;
}

export function createBufferBudget(options: BufferBudgetOptions): BufferBudget {
  let records = 0;
  let bytes = 0;
  let over = false;

  function check(): void {
    options.onChange?.(records, bytes);
    if (!over && (records >= options.maxRecords || bytes >= options.maxBytes)) {
      over = true;
      options.onOverChange?.(true);
    } else if (over && records <= options.maxRecords / 2 && bytes <= options.maxBytes / 2) {
      over = false;
      options.onOverChange?.(false);
    }
  }

  return {
    add(n, b) {
      records += n;
      bytes += b;
      check();
    },
    remove(n, b) {
      records -= n;
      bytes -= b;
      check();
    },
    records: () => records,
    isOver: () => over,
  };
}
