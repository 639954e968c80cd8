/**
 * The compatibility level a registry applies to a subject (Confluent API:
 * GET /config/{subject}, else the global GET /config), and setting one.
 * Read before registering, so registration goes with whatever level the
 * subject already has: a level stricter than BACKWARD is as good for the
 * connector's readers, and replicas starting together never race to set it.
 */
import { registryCall as call, type RegistryEndpoint } from './registry-client.ts';

/** Levels that keep every reader of an output topic able to read what is written: BACKWARD or stricter. */
export const SAFE_LEVELS: ReadonlySet<string> = new Set([
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
]);

export interface SubjectLevel {
  level: string;
  /** Set on the subject itself, rather than inherited from the registry's global default. */
  ownLevel: boolean;
}

export async function subjectCompatibility(
  registry: RegistryEndpoint,
  subject: string,
): Promise<SubjectLevel> {
  const own = await call(registry, 'GET', `/config/${encodeURIComponent(subject)}`);
  if (own.status === 200) return { level: levelOf(own.body), ownLevel: true };
  if (own.status !== 404) throw new Error(`GET /config/${subject} answered ${own.status}`);
  const global = await call(registry, 'GET', '/config');
  if (global.status !== 200) throw new Error(`GET /config answered ${global.status}`);
  return { level: levelOf(global.body), ownLevel: false };
}

export async function setSubjectCompatibility(
  registry: RegistryEndpoint,
  subject: string,
  level: string,
): Promise<void> {
  const set = await call(registry, 'PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: level });
  if (set.status >= 300) throw new Error(`PUT /config/${subject} answered ${set.status}`);
}

function levelOf(body: unknown): string {
  const { compatibilityLevel, compatibility } = (body ?? {}) as {
    compatibilityLevel?: unknown;
    compatibility?: unknown;
  };
  const level = compatibilityLevel ?? compatibility;
  return typeof level === 'string' ? level.toUpperCase() : 'UNKNOWN';
}
