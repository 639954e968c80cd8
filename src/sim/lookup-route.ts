// A GET of one resource by the ids in its path: the shape of the seeds' contact,
// journey, data action and invocation endpoints. The scope is checked first, so
// a client without it learns nothing (403 before 404), as CXone answers.
import { authorize } from './auth.ts';
import type { Reply } from './http-io.ts';
import type { Route, SimWorld } from './world.ts';

export interface LookupRoute<T> {
  template: string;
  scope: string;
  /** The resource named by the path parameters, or undefined. */
  find(params: readonly string[]): T | undefined;
  found(resource: T): Reply;
  notFound(params: readonly string[]): Reply;
}

export function lookupRoute<T>(world: SimWorld, spec: LookupRoute<T>): Route {
  return {
    method: 'GET',
    template: spec.template,
    handle(ctx) {
      const denied = authorize(world, ctx.req, spec.scope);
      if (denied) return denied;
      const resource = spec.find(ctx.params);
      return resource === undefined ? spec.notFound(ctx.params) : spec.found(resource);
    },
  };
}
