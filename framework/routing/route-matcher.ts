import { match, type MatchFunction } from 'path-to-regexp';
import type { Route } from './url-table';

/** What a request's method and path resolved to: the route's handler and its decoded path parameters. */
export interface RouteMatch<H> {
  readonly handler: H;
  readonly params: Record<string, string>;
}

interface Exact<H> {
  readonly index: number;
  readonly handler: H;
}

interface Pattern<H> extends Exact<H> {
  readonly match: MatchFunction<Partial<Record<string, string | string[]>>>;
}

interface MethodTable<H> {
  /** Routes without parameters, by path (without its trailing slash): the first in the table wins. */
  readonly exact: Map<string, Exact<H>>;
  /** Routes with parameters, in table order. */
  readonly patterns: Pattern<H>[];
}

/** Characters that make a route path a pattern (`:id`, `*rest`, `{/optional}`) rather than a plain path. */
const patternSyntax = /[:*{}()[\]?+!\\]/;

/**
 * Finds the route of a request in the URL table, with Express's rules (its `path-to-regexp`
 * syntax, case-sensitive, an optional trailing slash, HEAD served by GET routes, the first route in
 * table order wins) but without walking the table: a path without parameters is one map lookup,
 * and only routes with parameters that come before it in the table are tried as patterns.
 */
export class RouteMatcher<H> {
  private readonly methods = new Map<string, MethodTable<H>>();
  private readonly all: Array<{ method: string; match: MatchFunction<object> }> = [];

  constructor(routes: ReadonlyArray<readonly [Route, H]>) {
    routes.forEach(([route, handler], index) => {
      const method = route.method.toUpperCase();
      let table = this.methods.get(method);
      if (!table) this.methods.set(method, (table = { exact: new Map(), patterns: [] }));
      const path = withoutTrailingSlash(route.path);
      const matcher = match(path, { decode: decodeParam, end: true, sensitive: true, trailing: true });
      this.all.push({ method, match: matcher });
      if (!patternSyntax.test(path)) {
        if (!table.exact.has(path)) table.exact.set(path, { index, handler });
      } else {
        table.patterns.push({ index, handler, match: matcher });
      }
    });
  }

  /** The first route for `method` (HEAD falls back to GET) whose path matches `path`, if any. */
  find(method: string, path: string): RouteMatch<H> | undefined {
    const table = this.methods.get(method) ?? (method === 'HEAD' ? this.methods.get('GET') : undefined);
    if (!table) return undefined;
    const exact = table.exact.get(withoutTrailingSlash(path));
    const patterns = table.patterns;
    for (let i = 0; i < patterns.length; i++) {
      const pattern = patterns[i]!;
      if (exact !== undefined && pattern.index > exact.index) break;
      const found = pattern.match(path);
      if (found) return { handler: pattern.handler, params: found.params as Record<string, string> };
    }
    return exact === undefined ? undefined : { handler: exact.handler, params: {} };
  }

  /** The methods some route answers at `path` (with HEAD wherever GET is), sorted: what `OPTIONS` reports in `Allow`. */
  allowedMethods(path: string): string[] {
    const methods = new Set<string>();
    for (const { method, match: matches } of this.all) {
      if (!matches(path)) continue;
      methods.add(method);
      if (method === 'GET') methods.add('HEAD');
    }
    return [...methods].sort();
  }
}

function withoutTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** Percent-decodes a path parameter; broken encoding is refused before routing (see `malformedUrl`). */
function decodeParam(value: string): string {
  return value.includes('%') ? decodeURIComponent(value) : value;
}
