type Params = Record<string, string | number>;

/**
 * The application's route names and the parameters each needs, for tsc: filled in by the
 * generated `config/generated/routes.ts` (written from `config/routes.ts` by `npm run typecheck`), so
 * `url('users.show', { id })` is checked. While it is empty, any name type-checks.
 */
export interface RouteNames {}

/** Route names with the parameters of each, when nothing tells them apart: any name, any parameters. */
export type AnyRouteNames = Record<string, Params>;

/** The application's route names (from the generated registry), or any name while there is none. */
export type AppRouteNames = keyof RouteNames extends never ? AnyRouteNames : RouteNames;

/** The parameters argument of `url(name, …)`: required when the route has parameters, optional otherwise. */
export type UrlParams<Names, N extends keyof Names> = Record<string, never> extends Names[N] ? [params?: Names[N]] : [params: Names[N]];

/** `url(name, params)` as controllers and views see it, checked against the application's routes. */
export type UrlHelper = <N extends keyof AppRouteNames & string>(name: N, ...params: UrlParams<AppRouteNames, N>) => string;
