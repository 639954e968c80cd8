// Async data action invocations (seed 002 "Step 3": 202 + invokeId, then poll until completed,
// failed or cancelled). State is derived from time on read rather than driven by timers: an
// invocation is queued for the first quarter of asyncDelayMs, running until asyncDelayMs, then
// terminal. The outcome is drawn when the invocation is created. No timers means nothing to
// cancel on close and no per-invocation work while nobody looks.
import type { InvocationCounts } from './stats.ts';

export type InvocationStatus = keyof InvocationCounts;
export type TerminalStatus = 'completed' | 'failed' | 'cancelled';

export interface InvocationView {
  invokeId: string;
  status: InvocationStatus;
  outputs?: Record<string, unknown>;
  errors?: { code: number; message: string }[];
}

interface Invocation {
  invokeId: string;
  actionId: string;
  status: InvocationStatus;
  queuedUntil: number;
  doneAt: number;
  outcome: TerminalStatus;
  outputs: Record<string, unknown>;
}

export interface NewInvocation {
  invokeId: string;
  actionId: string;
  outputs: Record<string, unknown>;
  delayMs: number;
  outcome: TerminalStatus;
}

export interface InvocationStore {
  create(spec: NewInvocation): void;
  // Sync invocations complete immediately; counted so stats cover every invocation.
  countSync(): void;
  view(actionId: string, invokeId: string): InvocationView | undefined;
  counts(): InvocationCounts;
  clear(): void;
}

const zero = (): InvocationCounts => ({ queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0 });

export function drawOutcome(u: number, failRate: number, cancelRate: number): TerminalStatus {
  if (u < failRate) return 'failed';
  if (u < failRate + cancelRate) return 'cancelled';
  return 'completed';
}

export function createInvocationStore(now: () => number): InvocationStore {
  const all = new Map<string, Invocation>();
  const pending = new Set<Invocation>();
  let counts = zero();

  function advance(inv: Invocation, at: number): void {
    if (!pending.has(inv)) return;
    const next: InvocationStatus =
      at >= inv.doneAt ? inv.outcome : at >= inv.queuedUntil ? 'running' : 'queued';
    if (next === inv.status) return;
    counts[inv.status]--;
    counts[next]++;
    inv.status = next;
    if (next === inv.outcome) pending.delete(inv);
  }

  return {
    create(spec) {
      const at = now();
      const inv: Invocation = {
        invokeId: spec.invokeId,
        actionId: spec.actionId,
        status: 'queued',
        queuedUntil: at + spec.delayMs / 4,
        doneAt: at + spec.delayMs,
        outcome: spec.outcome,
        outputs: spec.outputs,
      };
      all.set(inv.invokeId, inv);
      pending.add(inv);
      counts.queued++;
    },
    countSync() {
      counts.completed++;
    },
    view(actionId, invokeId) {
      const inv = all.get(invokeId);
      if (!inv || inv.actionId !== actionId) return undefined;
      advance(inv, now());
      const view: InvocationView = { invokeId, status: inv.status };
      if (inv.status === 'completed') view.outputs = inv.outputs;
      if (inv.status === 'failed')
        view.errors = [{ code: 500, message: 'Simulated data action execution failure' }];
      if (inv.status === 'cancelled') view.errors = [{ code: 409, message: 'Invocation was cancelled' }];
      return view;
    },
    counts() {
      const at = now();
      for (const inv of pending) advance(inv, at);
      return { ...counts };
    },
    clear() {
      all.clear();
      pending.clear();
      counts = zero();
    },
  };
}
