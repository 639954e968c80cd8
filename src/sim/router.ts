// A tiny router over path templates such as `/api/v1/journeys/{id}/trigger`. The template string
// is also the label used for per-endpoint request counts in /_sim/stats.

export interface RouteSpec {
  method: string;
  template: string;
}

export type RouteMatch<R> =
  | { kind: 'found'; route: R; params: string[] }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' };

interface Compiled<R> {
  route: R;
  method: string;
  segments: string[];
}

export interface Router<R> {
  match(method: string, path: string): RouteMatch<R>;
}

export function createRouter<R extends RouteSpec>(routes: readonly R[]): Router<R> {
  const compiled: Compiled<R>[] = routes.map((route) => ({
    route,
    method: route.method,
    segments: route.template.split('/'),
  }));

  function matchSegments(segments: string[], parts: string[]): string[] | undefined {
    if (segments.length !== parts.length) return undefined;
    const params: string[] = [];
    for (let i = 0; i < segments.length; i++) {
      const want = segments[i]!;
      const got = parts[i]!;
      if (want.startsWith('{')) {
        if (got === '') return undefined;
        try {
          params.push(decodeURIComponent(got));
        } catch {
          return undefined;
        }
      } else if (want !== got) {
        return undefined;
      }
    }
    return params;
  }

  return {
    match(method, path) {
      const parts = path.split('/');
      const allow: string[] = [];
      for (const c of compiled) {
        const params = matchSegments(c.segments, parts);
        if (!params) continue;
        if (c.method === method) return { kind: 'found', route: c.route, params };
        allow.push(c.method);
      }
      return allow.length > 0 ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' };
    },
  };
}
