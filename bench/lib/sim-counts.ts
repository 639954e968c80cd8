/** Effects the simulator recorded: the total, and per Idempotency-Key. */
export interface SimEffects {
  total: number;
  byKey: Record<string, number>;
}

export async function simEffects(simUrl: string): Promise<SimEffects> {
  const response = await fetch(`${simUrl}/_sim/stats`);
  return ((await response.json()) as { effects: SimEffects }).effects;
}

/** A POST to the simulator's control plane (/_sim/...): faults, clients, token revocation. */
export async function postSim(simUrl: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${simUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(`simulator refused POST ${path}: ${response.status} ${await response.text()}`);
}

/** Request counts from the CXone simulator's /_sim/stats: every tenant API request, and the 429s among them. */
export interface SimCounts {
  atMs: number;
  requests: number;
  tooMany: number;
}

export async function simCounts(simUrl: string): Promise<SimCounts> {
  const response = await fetch(`${simUrl}/_sim/stats?byKey=false`);
  const stats = (await response.json()) as { requests: Record<string, Record<string, number>> };
  let requests = 0;
  let tooMany = 0;
  for (const [template, byStatus] of Object.entries(stats.requests)) {
    if (template.includes('/_sim') || template === 'unmatched') continue;
    for (const [status, n] of Object.entries(byStatus)) {
      requests += n;
      if (status === '429') tooMany += n;
    }
  }
  return { atMs: performance.now(), requests, tooMany };
}

export async function setSimFaults(simUrl: string, patch: Record<string, number>): Promise<void> {
  await postSim(simUrl, '/_sim/faults', patch);
}
