/**
 * An instance's share of the group-wide CXone rate limit: its fraction of all
 * input partitions. Every member of a generation learns its assignment in the
 * same SyncGroup round and the assignments of a generation partition the
 * inputs, so the shares of one generation add up to 1 at most (less while a
 * partition is unassigned), whatever the replica count; an instance with no
 * partition sends nothing.
 */
export function assignmentShare(
  assignment: Readonly<Record<string, readonly number[]>>,
  partitionsPerTopic: Readonly<Record<string, number>>,
): { assigned: number; total: number; share: number } {
  let assigned = 0;
  for (const [topic, partitions] of Object.entries(assignment)) {
    if (topic in partitionsPerTopic) assigned += partitions.length;
  }
  const total = Object.values(partitionsPerTopic).reduce((sum, n) => sum + n, 0);
  return { assigned, total, share: total > 0 ? Math.min(1, assigned / total) : 0 };
}
