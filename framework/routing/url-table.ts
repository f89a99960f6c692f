import type { RequestHandler } from 'express';
import type { Controller, ControllerClass } from '../controller';
import pluralize from 'pluralize';
import { controllerPath, underscore, type AppRouteNames, type UrlParams } from '../support';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Names of a controller's own actions: its public methods, minus those every controller inherits. */
export type ActionName<C extends Controller> = Exclude<
  { [K in keyof C]: C[K] extends (...args: never[]) => unknown ? K : never }[keyof C],
  keyof Controller
> &
  string;

/** One line of the URL table. */
export interface Route {
  readonly method: HttpMethod;
  /** The path as written in the table, for example `/users/:id`. */
  readonly path: string;
  readonly controller: ControllerClass;
  readonly action: string;
  /** Unique name used to build URLs, for example `users.show`; absent on a second route to the same action. */
  readonly name: string | undefined;
  /** Express middleware run for this route only, after routing and before the controller (an upload parser, say). */
  readonly use: readonly RequestHandler[];
}

export interface RouteOptions {
  /** Route name for `url()`; defaults to `<controller>.<action>` (for example `pages.index`) for the first route of an action; `false` for none. */
  name?: string | false;
  /**
   * Express middleware for this route only, run in order once the route is matched and before the
   * controller's filters: `{ use: [upload.single('avatar')] }`. A multipart form's CSRF token is
   * checked after them, once they have parsed its fields.
   */
  use?: readonly RequestHandler[];
}

type Params = Record<string, string | number>;

/** The compiled URL table: the routes in order, and `url()` to build paths from route names. */
export class RouteTable<Names extends object = AppRouteNames> {
  readonly routes: readonly Route[];
  private readonly byName: Map<string, { route: Route; segments: Array<string | { param: string }> }>;

  constructor(routes: Route[]) {
    this.routes = Object.freeze(routes.slice());
    this.byName = new Map();
    for (const route of routes) {
      if (route.name === undefined) continue;
      if (this.byName.has(route.name)) {
        throw new Error(`Two routes are named "${route.name}" (${route.method.toUpperCase()} ${route.path}); give one a distinct { name }.`);
      }
      this.byName.set(route.name, { route, segments: compileSegments(route.path) });
    }
  }

  /** Whether a route is called `name`: for views shared by apps whose tables differ (a layout's navigation). */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Builds the path of the route called `name`; unknown names and missing parameters throw at once (and fail tsc, for the app's table). */
  url<N extends keyof Names & string>(name: N, ...[given]: UrlParams<Names, N>): string {
    const params = (given ?? {}) as Params;
    const entry = this.byName.get(name);
    if (!entry) throw new Error(`No route is named "${name}". Known names: ${[...this.byName.keys()].join(', ')}`);
    let out = '';
    for (const segment of entry.segments) {
      if (typeof segment === 'string') {
        out += segment;
        continue;
      }
      const value = params[segment.param];
      if (value === undefined || value === null || value === '') {
        throw new Error(`Route "${name}" (${entry.route.path}) needs the parameter "${segment.param}".`);
      }
      out += encodeURIComponent(String(value));
    }
    return out;
  }

  /** The route called `name`, if any. */
  find(name: string): Route | undefined {
    return this.byName.get(name)?.route;
  }
}

function compileSegments(routePath: string): Array<string | { param: string }> {
  const segments: Array<string | { param: string }> = [];
  const pattern = /:([A-Za-z_][A-Za-z0-9_]*)/g;
  let last = 0;
  for (const match of routePath.matchAll(pattern)) {
    segments.push(routePath.slice(last, match.index));
    segments.push({ param: match[1]! });
    last = match.index! + match[0].length;
  }
  segments.push(routePath.slice(last));
  return segments.filter((s) => s !== '');
}

/** The seven conventional actions of a resource, in the order their routes are matched. */
export const resourceActions = ['index', 'new', 'create', 'show', 'edit', 'update', 'destroy'] as const;
export type ResourceAction = (typeof resourceActions)[number];

export interface ResourceOptions {
  /** Only these of the seven actions. */
  only?: readonly ResourceAction[];
  /** All seven but these. */
  except?: readonly ResourceAction[];
  /** Route middleware per action: `{ use: { create: [upload.single('file')], update: [upload.single('file')] } }`. */
  use?: Partial<Record<ResourceAction, readonly RequestHandler[]>>;
}

/** The receiver of `defineRoutes`: each call adds one line to the URL table. */
export class RouteBuilder {
  private readonly routes: Route[];
  private readonly prefix: string;
  private readonly namePrefix: string;

  constructor(routes: Route[] = [], prefix = '', namePrefix = '') {
    this.routes = routes;
    this.prefix = prefix;
    this.namePrefix = namePrefix;
  }

  get<C extends Controller>(path: string, controller: ControllerClass<C>, action: ActionName<C>, options?: RouteOptions): this {
    return this.add('get', path, controller, action, options);
  }

  post<C extends Controller>(path: string, controller: ControllerClass<C>, action: ActionName<C>, options?: RouteOptions): this {
    return this.add('post', path, controller, action, options);
  }

  put<C extends Controller>(path: string, controller: ControllerClass<C>, action: ActionName<C>, options?: RouteOptions): this {
    return this.add('put', path, controller, action, options);
  }

  patch<C extends Controller>(path: string, controller: ControllerClass<C>, action: ActionName<C>, options?: RouteOptions): this {
    return this.add('patch', path, controller, action, options);
  }

  delete<C extends Controller>(path: string, controller: ControllerClass<C>, action: ActionName<C>, options?: RouteOptions): this {
    return this.add('delete', path, controller, action, options);
  }

  /**
   * The seven conventional routes of a resource, named `<name>.<action>`:
   *
   *     GET /users → index · GET /users/new → new · POST /users → create · GET /users/:id → show
   *     GET /users/:id/edit → edit · PATCH|PUT /users/:id → update · DELETE /users/:id → destroy
   *
   * `nested` draws routes under `/users/:userId`, named `user_<name>.<action>`.
   */
  resources(name: string, controller: ControllerClass, options: ResourceOptions = {}, nested?: (r: RouteBuilder) => void): this {
    const actions = resourceActions.filter((a) => (!options.only || options.only.includes(a)) && !options.except?.includes(a));
    const base = `/${name}`;
    const member = `${base}/:id`;
    const named = (action: string) => ({ name: `${this.namePrefix}${name}.${action}` });
    const table: Record<ResourceAction, Array<[HttpMethod, string, RouteOptions]>> = {
      index: [['get', base, named('index')]],
      new: [['get', `${base}/new`, named('new')]],
      create: [['post', base, named('create')]],
      show: [['get', member, named('show')]],
      edit: [['get', `${member}/edit`, named('edit')]],
      update: [
        ['patch', member, named('update')],
        ['put', member, { name: false }],
      ],
      destroy: [['delete', member, named('destroy')]],
    };
    for (const action of actions) {
      const use = options.use?.[action];
      for (const [method, path, routeOptions] of table[action]) this.add(method, path, controller, action, use ? { ...routeOptions, use } : routeOptions);
    }
    if (nested) {
      const singular = pluralize.singular(name);
      nested(new RouteBuilder(this.routes, `${this.prefix}${base}/:${camelize(singular)}Id`, `${this.namePrefix}${underscore(singular)}_`));
    }
    return this;
  }

  /** Adds a route; checks now, at start-up, that the action exists. */
  add(method: HttpMethod, path: string, controller: ControllerClass, action: string, options: RouteOptions = {}): this {
    if (!path.startsWith('/')) throw new Error(`Route path "${path}" must start with "/".`);
    const fullPath = this.prefix + path;
    if (typeof (controller.prototype as unknown as Record<string, unknown>)[action] !== 'function') {
      throw new Error(`${controller.name} has no action "${action}" (route ${method.toUpperCase()} ${fullPath}).`);
    }
    if (options.use?.some((handler) => typeof handler !== 'function')) {
      throw new Error(`Route ${method.toUpperCase()} ${fullPath}: every entry of { use } must be an Express middleware function.`);
    }
    // An implicit name goes to the first route of an action only (as in Rails); explicit names must be unique.
    const implicit = `${this.namePrefix}${controllerPath(controller.name)}.${action}`;
    const name = options.name === false ? undefined : (options.name ?? (this.routes.some((r) => r.name === implicit) ? undefined : implicit));
    this.routes.push({ method, path: fullPath, controller, action, name, use: Object.freeze([...(options.use ?? [])]) });
    return this;
  }

  /** Freezes what was drawn into a `RouteTable`. */
  build<Names extends object = AppRouteNames>(): RouteTable<Names> {
    return new RouteTable<Names>(this.routes);
  }
}

function camelize(word: string): string {
  return word.replace(/[_-]([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** A path the framework answers itself, outside the URL table (`/healthz`), for `npm run routes`. */
export interface BuiltInRoute {
  method: string;
  path: string;
  /** What answers it, in the Controller#Action column. */
  handler: string;
}

/** The table as `rails routes` prints it: method, path, name, controller#action; then the framework's own paths. */
export function formatRoutes(table: RouteTable, builtIn: readonly BuiltInRoute[] = []): string {
  const rows = table.routes.map((r) => [r.method.toUpperCase(), r.path, r.name ?? '', `${r.controller.name}#${r.action}`]);
  for (const route of builtIn) rows.push([route.method, route.path, '', route.handler]);
  const header = ['Method', 'Path', 'Name', 'Controller#Action'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  return [header, ...rows].map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/**
 * Draws the application's one URL table, as in `config/routes.ts`:
 *
 *     export default defineRoutes((r) => {
 *       r.get('/index/', PagesController, 'index');
 *     });
 */
export function defineRoutes<Names extends object = AppRouteNames>(draw: (r: RouteBuilder) => void): RouteTable<Names> {
  const builder = new RouteBuilder();
  draw(builder);
  return builder.build<Names>();
}
