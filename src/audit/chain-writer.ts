/**
 * What the owner of a chain keeps, and how a commit's audit records advance
 * it: the head, and the span since the last checkpoint as a compact Merkle
 * range. Every `every` records, or at the first commit `intervalMs` after the
 * span began, the span is signed into a checkpoint. The state is small enough
 * (a head and at most log2(every) + 1 hashes) to travel in the committed
 * offset's metadata, so the next owner continues the chain and the span
 * exactly where the last committed transaction left them.
 */
import type { KeyObject } from 'node:crypto';
import { extendChain, GENESIS, type ChainHead } from './audit-chain.ts';
import { signCheckpoint, type Checkpoint } from './checkpoint.ts';
import { appendLeaf, frontierRoot } from './merkle.ts';

export interface ChainState {
  head: ChainHead;
  /** The first sequence of the span the next checkpoint covers. */
  spanFirst: number;
  /** The span's compact Merkle range (merkle.ts appendLeaf). */
  frontier: Buffer[];
  /**
   * When the span's first record was chained (epoch ms). Not committed: the new owner of a span
   * left open starts the clock at its claim (partition-worker.ts), so that span is signed at most
   * one interval later than it would have been.
   */
  spanStartedAt: number | undefined;
}

export interface CheckpointSigner {
  keyId: string;
  privateKey: KeyObject;
}

export interface CheckpointPolicy {
  /** A checkpoint after this many records of a chain. */
  every: number;
  /** A checkpoint at the first commit this long after its span began. */
  intervalMs: number;
  /** No signer: records are chained, and no checkpoint is written. */
  signer: CheckpointSigner | undefined;
}

/** The most records a checkpoint may span: the frontier committed in the offset metadata stays under 13 hashes. */
export const MAX_CHECKPOINT_SPAN = 4096;

export function chainStateAt(head: ChainHead = GENESIS): ChainState {
  return { head, spanFirst: head.seq + 1, frontier: [], spanStartedAt: undefined };
}

export interface ChainAdvance {
  values: Buffer[];
  checkpoints: Checkpoint[];
  state: ChainState;
}

/** Chains `values` (see extendChain) and signs every span that is due. Pure: `state` is not changed. */
export function advanceChain(
  chain: string,
  state: ChainState,
  values: readonly Buffer[],
  headerBytes: number,
  now: number,
  policy: CheckpointPolicy,
): ChainAdvance {
  const extended = extendChain(chain, state.head, values, headerBytes);
  const { signer } = policy;
  if (signer === undefined)
    return { values: extended.values, checkpoints: [], state: chainStateAt(extended.head) };
  const checkpoints: Checkpoint[] = [];
  let { spanFirst, spanStartedAt } = state;
  // A copy: the state passed in stays as it was (a commit that fails leaves the worker's own).
  let frontier = [...state.frontier];
  let seq = state.head.seq;
  const close = (headHash: string): void => {
    checkpoints.push(
      signCheckpoint(
        {
          chain,
          firstSeq: spanFirst,
          lastSeq: seq,
          headHash,
          merkleRoot: frontierRoot(frontier).toString('hex'),
          time: now,
          keyId: signer.keyId,
        },
        signer.privateKey,
      ),
    );
    spanFirst = seq + 1;
    frontier = [];
    spanStartedAt = undefined;
  };
  for (const hash of extended.hashes) {
    seq += 1;
    spanStartedAt ??= now;
    appendLeaf(frontier, seq - spanFirst, hash);
    if (seq - spanFirst + 1 >= policy.every) close(hash.toString('hex'));
  }
  if (seq >= spanFirst && spanStartedAt !== undefined && now - spanStartedAt >= policy.intervalMs)
    close(extended.head.hash);
  return {
    values: extended.values,
    checkpoints,
    state: { head: extended.head, spanFirst, frontier, spanStartedAt },
  };
}
