/** Talks to the running CXone simulator the way a test inspects it: as a client, and through /_sim. */
export interface SimEffect {
  key: string;
  count: number;
  first: { path: string; headers: Record<string, string | string[]>; body: unknown };
}

export interface SimClient {
  contactStatus(contactId: string): Promise<string>;
  effectsByKey(): Promise<Record<string, number>>;
  effect(key: string): Promise<SimEffect>;
  stats(): Promise<Record<string, unknown>>;
  /** POST /_sim/faults: latencyMs, rate429, rate5xx, … (what is not named stays as it is). */
  setFaults(faults: Record<string, number>): Promise<void>;
}

export function simClient(baseUrl: string, clientId = 'sim-client', clientSecret = 'sim-secret'): SimClient {
  let token: string | undefined;
  const getJson = async (
    path: string,
    init: RequestInit = {},
  ): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`${baseUrl}${path}`, init);
    return { status: response.status, body: await response.json() };
  };
  const bearer = async (): Promise<string> => {
    if (token) return token;
    const { body } = await getJson('/api/v2/oauth/token', {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    token = (body as { access_token: string }).access_token;
    return token;
  };
  return {
    async contactStatus(contactId) {
      const { status, body } = await getJson(`/api/v1/contacts/${encodeURIComponent(contactId)}`, {
        headers: { authorization: `Bearer ${await bearer()}` },
      });
      if (status === 404) return 'missing';
      return (body as { suppressionStatus: string }).suppressionStatus;
    },
    async effectsByKey() {
      const { body } = await getJson('/_sim/stats');
      return (body as { effects: { byKey: Record<string, number> } }).effects.byKey;
    },
    async effect(key) {
      const { status, body } = await getJson(`/_sim/effects/${encodeURIComponent(key)}`);
      if (status !== 200) throw new Error(`no effect recorded for ${key}`);
      return body as SimEffect;
    },
    async stats() {
      return (await getJson('/_sim/stats')).body as Record<string, unknown>;
    },
    async setFaults(faults) {
      const { status, body } = await getJson('/_sim/faults', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(faults),
      });
      if (status !== 200)
        throw new Error(
          `the simulator refused the faults ${JSON.stringify(faults)}: ${JSON.stringify(body)}`,
        );
    },
  };
}
