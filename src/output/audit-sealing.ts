/**
 * Seals one commit's audit records into their partition's chain, in the order
 * they go into the transaction, and makes the checkpoints that fall due. Run
 * by the partition's owner just before the commit, so a record's place in the
 * chain is decided by the transaction that makes it visible: an aborted
 * transaction (a zombie's, or a failed commit's) leaves the chain as it was.
 */
import { advanceChain, type ChainState, type CheckpointPolicy } from '../audit/chain-writer.ts';
import type { Checkpoint } from '../audit/checkpoint.ts';
import type { OutputMessage, RecordOutputs } from '../contracts/records.ts';
import { HEADER_BYTES } from '../decode/wire-format.ts';

export interface SealedCommit {
  outputs: RecordOutputs[];
  /** Messages for kafka.topics.auditCheckpoints, keyed by chain. */
  checkpoints: OutputMessage[];
  /** The chain after this commit: committed in its offset's metadata. */
  state: ChainState;
}

/** A checkpoint as written to its topic: JSON, so a reader needs no registry to check a signature. */
function checkpointMessage(checkpoint: Checkpoint): OutputMessage {
  return { key: checkpoint.chain, value: Buffer.from(JSON.stringify(checkpoint), 'utf8') };
}

export function sealAuditRecords(
  chain: string,
  state: ChainState,
  outputs: readonly RecordOutputs[],
  now: number,
  policy: CheckpointPolicy,
): SealedCommit {
  const values: Buffer[] = [];
  for (const output of outputs) for (const m of output.audit) if (m.value) values.push(m.value);
  const advanced = advanceChain(chain, state, values, HEADER_BYTES, now, policy);
  let next = 0;
  const sealed = outputs.map((output) =>
    output.audit.length === 0
      ? output
      : {
          ...output,
          audit: output.audit.map((m) => (m.value ? { ...m, value: advanced.values[next++] as Buffer } : m)),
        },
  );
  return { outputs: sealed, checkpoints: advanced.checkpoints.map(checkpointMessage), state: advanced.state };
}
