import type { Admin } from 'kafkajs';

/** Records of `topic` not yet committed by `groupId` (a partition with no commit counts from 0). */
export async function groupLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [ends, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const done = new Map(
    (committed[0]?.partitions ?? []).map((p) => [p.partition, p.offset === '-1' ? 0n : BigInt(p.offset)]),
  );
  let lag = 0n;
  for (const end of ends) lag += BigInt(end.high) - (done.get(end.partition) ?? 0n);
  return Number(lag);
}
