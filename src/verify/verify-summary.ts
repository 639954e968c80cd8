/**
 * What `audit verify` prints: one line per chain (records, sequences, times,
 * checkpoints, what is not yet signed), the first divergence of each chain
 * named where it is and by the check that failed, and a last line with the
 * verdict. `--json` gives the same as one object, for a scheduled job.
 */
import type { ChainSummary, Divergence } from '../audit/verify-chain.ts';
import type { AuditVerifyResult } from './audit-verify.ts';

/** Whether everything read holds: no divergence, nothing unreadable, nothing left unread. */
export function verified(result: AuditVerifyResult): boolean {
  return (
    result.report.divergences.length === 0 && result.unreadable.length === 0 && result.pinned.length === 0
  );
}

const iso = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString());

function chainLine(c: ChainSummary, divergence: Divergence | undefined): string {
  const span =
    c.records === 0 ? 'no records' : `sequences ${c.firstSeq}..${c.lastSeq} (${c.records} records)`;
  const kept =
    c.retainedFrom === undefined
      ? ''
      : `, from ${c.retainedFrom} (before it: removed by retention or out of range)`;
  const times = c.records === 0 ? '' : `, ${iso(c.firstTime)} .. ${iso(c.lastTime)}`;
  const signed = `, ${c.checkpoints} checkpoint(s), ${c.unanchored} record(s) after the last one`;
  const head = `${divergence ? '✗' : '✓'} ${c.chain}: ${span}${kept}${times}${signed}`;
  if (!divergence) return head;
  return `${head}\n    first divergence: sequence ${divergence.chainSeq} at partition ${divergence.partition} offset ${divergence.offset}: ${divergence.check}: ${divergence.detail}`;
}

export function describeVerify(
  result: AuditVerifyResult,
  topics: { audit: string; checkpoints: string },
): string {
  const { report } = result;
  const lines = report.chains.map((c) =>
    chainLine(
      c,
      report.divergences.find((d) => d.chain === c.chain),
    ),
  );
  for (const u of result.unreadable)
    lines.push(`✗ ${u.topic} partition ${u.partition} offset ${u.offset}: ${u.reason}`);
  for (const p of result.pinned)
    lines.push(
      `✗ ${p.topic} partition ${p.partition}: an open transaction pins it at offset ${p.stable} of ${p.high}; only what is before it was read (run again once it ends)`,
    );
  if (result.unchained > 0)
    lines.push(
      `  ${result.unchained} record(s) written before audit chains (schema v3 or older): not verifiable`,
    );
  const records = report.chains.reduce((n, c) => n + c.records, 0);
  const checkpoints = report.chains.reduce((n, c) => n + c.checkpoints, 0);
  const problems = report.divergences.length + result.unreadable.length + result.pinned.length;
  lines.push(
    `${verified(result) ? 'verified' : 'NOT verified'}: ${report.chains.length} chain(s), ${records} record(s) of ${topics.audit}, ${checkpoints} checkpoint(s) of ${topics.checkpoints}; ${problems} problem(s)`,
  );
  return lines.join('\n');
}

export function verifyJson(result: AuditVerifyResult): string {
  return JSON.stringify(
    {
      verified: verified(result),
      chains: result.report.chains,
      divergences: result.report.divergences,
      unreadable: result.unreadable,
      pinned: result.pinned.map((p) => ({ ...p, stable: p.stable.toString(), high: p.high.toString() })),
      unchained: result.unchained,
      read: result.read,
    },
    null,
    2,
  );
}
