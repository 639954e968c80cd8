// The simulator's control plane under /_sim: stats, reset, faults at run time, token revocation,
// and the first request of each effect. Never subject to latency, rate limits or faults.
import type { Reply } from './http-io.ts';
import { parseJson } from './http-io.ts';
import { clientPatchSchema } from './fixtures-schema.ts';
import type { RuntimeOptions } from './options.ts';
import { SimOptionsError } from './options.ts';
import type { SimStats } from './stats.ts';
import type { Route, SimWorld } from './world.ts';

export interface SimControl {
  stats(options?: { byKey?: boolean }): SimStats;
  reset(): void;
  faults(): RuntimeOptions;
  setFaults(patch: unknown): void;
  revokeTokens(): number;
}

function badRequest(error: string, message: string, issues?: readonly string[]): Reply {
  return { status: 400, body: issues ? { error, message, issues } : { error, message } };
}

export function createControlRoutes(world: SimWorld, control: SimControl): Route[] {
  const admin = (method: string, template: string, handle: Route['handle']): Route => ({
    method,
    template,
    admin: true,
    handle,
  });
  return [
    admin('GET', '/_sim/health', () => ({ status: 200, body: { status: 'ok' } })),
    admin('GET', '/_sim/stats', (ctx) => ({
      status: 200,
      body: control.stats({ byKey: ctx.query.get('byKey') !== 'false' }),
    })),
    admin('POST', '/_sim/reset', () => {
      control.reset();
      return { status: 200, body: { status: 'reset' } };
    }),
    admin('GET', '/_sim/faults', () => ({ status: 200, body: control.faults() })),
    admin('POST', '/_sim/faults', (ctx) => {
      const parsed = parseJson(ctx.body.length === 0 ? Buffer.from('{}') : ctx.body);
      if (!parsed.ok) return badRequest('invalid_json', parsed.message);
      try {
        control.setFaults(parsed.value);
      } catch (cause) {
        if (cause instanceof SimOptionsError)
          return badRequest('invalid_faults', cause.message, cause.issues);
        throw cause;
      }
      world.logger.info({ faults: control.faults() }, 'simulator faults changed');
      return { status: 200, body: control.faults() };
    }),
    admin('POST', '/_sim/clients/{clientId}', (ctx) => {
      const parsed = parseJson(ctx.body.length === 0 ? Buffer.from('{}') : ctx.body);
      if (!parsed.ok) return badRequest('invalid_json', parsed.message);
      const patch = clientPatchSchema.safeParse(parsed.value);
      if (!patch.success) {
        return badRequest(
          'invalid_client_patch',
          'expected { clientSecret?, scopes? }',
          patch.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
        );
      }
      const clientId = ctx.params[0] ?? '';
      const client = world.fixtures.updateClient(clientId, patch.data);
      if (!client) return { status: 404, body: { error: 'not_found', message: `No client ${clientId}` } };
      world.logger.info({ clientId, scopes: client.scopes }, 'simulator client changed');
      return { status: 200, body: { clientId, scopes: client.scopes } };
    }),
    admin('POST', '/_sim/tokens/revoke', () => ({ status: 200, body: { revoked: control.revokeTokens() } })),
    admin('GET', '/_sim/effects/{key}', (ctx) => {
      const key = ctx.params[0] ?? '';
      const record = world.effects.get(key);
      return record
        ? { status: 200, body: record }
        : { status: 404, body: { error: 'not_found', message: `No effect recorded for key ${key}` } };
    }),
  ];
}
