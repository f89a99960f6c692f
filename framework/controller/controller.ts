import type { Request, Response } from 'express';
import type { z } from 'zod';
import { HttpError, ValidationFailed, sendBody, sendJson, type FieldErrors, prefersJson, controllerPath, pageLinks, responseStarted, validate, type AppRouteNames, type UrlParams } from '../support';
import type { Filter } from './filters';
import { setFlash, type FlashType, regenerateSession } from '../security';
import type { AppContext } from './app-context';
import type { Page } from '../model';

/** The line of the URL table that chose a controller and action (the routing's `Route` has more). */
export interface MatchedRoute {
  readonly method: string;
  /** The path as written in the table, for example `/users/:id`. */
  readonly path: string;
  readonly action: string;
  /** The route's name, for `url()`, if it has one. */
  readonly name: string | undefined;
}

/** A controller class as the router sees it: constructed once per request. */
export interface ControllerClass<C extends Controller = Controller> {
  new (request: Request, response: Response, context: AppContext, route: MatchedRoute): C;
  readonly name: string;
  readonly prototype: C;
}

export interface RenderOptions {
  /** HTTP status of the page (default 200, or what `status()` set). */
  status?: number;
  /** Layout in `views/layouts/`, or `false` for none. */
  layout?: string | false;
}

type Responder = () => unknown;

/**
 * Base of every controller. The router makes one instance per request and calls one action on it;
 * an action reads input (`params`, `query`, `body`), calls models, and answers with `render`,
 * `json`, `plain`, `redirect` or `head`. An action that answers nothing renders `views/<controller>/<action>`.
 */
export class Controller {
  /** Before-filters: `static override before = [before('loadUser', { only: ['show'] })]`. */
  static before: readonly Filter[] = [];

  readonly request: Request;
  readonly response: Response;
  protected readonly context: AppContext;
  /** The URL-table line that chose this controller. */
  readonly route: MatchedRoute;

  constructor(request: Request, response: Response, context: AppContext, route: MatchedRoute) {
    this.request = request;
    this.response = response;
    this.context = context;
    this.route = route;
  }

  /**
   * Path parameters, such as `id` in `/users/:id`. For a controller in the app's URL table, tsc
   * knows which: the generated `config/generated/routes.ts` narrows this per controller.
   */
  get params(): Readonly<Record<string, string | undefined>> {
    return this.request.params as Record<string, string>;
  }

  /** Query-string parameters. */
  get query(): Record<string, unknown> {
    return this.request.query as Record<string, unknown>;
  }

  /** The parsed body (JSON or form), or an empty object when there is none. */
  get body(): Record<string, unknown> {
    return (this.request.body ?? {}) as Record<string, unknown>;
  }

  /** True when the client prefers JSON to HTML (by its `Accept` header). */
  get wantsJson(): boolean {
    return prefersJson(this.request);
  }

  /** Parses input (the body by default) with a zod schema: typed data, or a 422 with per-field messages. */
  validate<S extends z.ZodType>(schema: S, input: unknown = this.body): z.infer<S> {
    return validate(schema, input);
  }

  /** Sets the status of the coming response. */
  status(code: number): this {
    this.response.status(code);
    return this;
  }

  /** Renders a view inside the layout. `name` is `action` (in this controller's folder) or `folder/view`. */
  render(name: string, locals: Record<string, unknown> = {}, options: RenderOptions = {}): void {
    const viewName = name.includes('/') ? name : `${viewFolder(this.constructor as ControllerClass)}/${name}`;
    const html = this.context.render(this.request, this.response, viewName, locals, options.layout);
    if (options.status) this.response.status(options.status);
    sendBody(this.request, this.response, html, 'text/html; charset=utf-8');
  }

  /** Answers `value` as JSON. */
  json(value: unknown, status?: number): void {
    if (status) this.response.status(status);
    sendJson(this.request, this.response, value);
  }

  /** Answers plain text (`text/plain; charset=utf-8`), as Rails' `render plain:` does. */
  plain(text: string, status?: number): void {
    if (status) this.response.status(status);
    sendBody(this.request, this.response, text, 'text/plain; charset=utf-8');
  }

  /** Answers 201 Created with the new resource and its URL in `Location`. */
  created(value: unknown, location: string): void {
    this.response.status(201).location(location);
    sendJson(this.request, this.response, value);
  }

  /** Redirects to `url` (302 by default; use 303 after a form post). */
  redirect(url: string, status = 302): void {
    this.response.redirect(status, url);
  }

  /** Answers with a status and no body (204 after a delete). */
  head(status: number): void {
    this.response.status(status).end();
  }

  /** Answers HTML or JSON from one action, by what the client's `Accept` header prefers. */
  respond(responders: { html?: Responder; json?: Responder }): unknown {
    const available = responders.json && responders.html ? ['html', 'json'] : responders.json ? ['json'] : ['html'];
    const wanted = responders.json && responders.html ? (prefersJson(this.request) ? 'json' : this.request.accepts(available)) : this.request.accepts(available);
    if (wanted === 'json' && responders.json) return responders.json();
    if (wanted === 'html' && responders.html) return responders.html();
    throw new HttpError(406, `This URL answers ${available.join(' or ')}.`);
  }

  /**
   * Runs `work` (usually a model's create or update). If it fails validation and the client wants
   * HTML, `onInvalid(errors)` re-renders the form with status 422; JSON clients get the 422 problem.
   */
  async rescueInvalid<T>(work: () => Promise<T>, onInvalid: (errors: FieldErrors) => unknown): Promise<T | undefined> {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof ValidationFailed) || this.wantsJson) throw error;
      this.response.status(422);
      await onInvalid(error.errors);
      return undefined;
    }
  }

  /** A page of records as the JSON API shapes lists: `{ data, meta }`, with `Link` headers to the other pages. */
  paginated<M>(page: Page<M>): { data: M[]; meta: Omit<Page<M>, 'data'> } {
    const links = pageLinks(page, this.request.path, this.query);
    if (links.length) this.response.setHeader('Link', links.map((l) => `<${l.href}>; rel="${l.rel}"`).join(', '));
    const { data, ...meta } = page;
    return { data, meta };
  }

  /** The session of this visitor (stored in the database). */
  get session(): Request['session'] {
    return this.request.session;
  }

  /**
   * Signs `userId` in: a brand-new session (new id, so a planted one is useless; new CSRF token)
   * holding only the user and the time. Call after checking the password.
   */
  async signIn(userId: number): Promise<void> {
    await regenerateSession(this.request);
    this.request.session.userId = userId;
    this.request.session.signedInAt = Date.now();
  }

  /** Signs out: the session is destroyed in the store (its id no longer works) and a fresh one begins. */
  async signOut(): Promise<void> {
    await regenerateSession(this.request);
  }

  /** A message shown once, on the next page rendered: `this.flash('notice', 'Saved.')`. */
  flash(type: FlashType, message: string): void {
    setFlash(this.request, type, message);
  }

  /** Builds a path from a route name: `this.url('users.show', { id: 1 })`; tsc checks the name and its parameters. */
  url<N extends keyof AppRouteNames & string>(name: N, ...params: UrlParams<AppRouteNames, N>): string {
    return this.context.routes.url(name, params[0] as Record<string, string | number> | undefined);
  }
}

const viewFolders = new WeakMap<ControllerClass, string>();

/** `PagesController` → `pages`, computed once per class. */
export function viewFolder(controller: ControllerClass): string {
  let folder = viewFolders.get(controller);
  if (folder === undefined) {
    folder = controllerPath(controller.name);
    viewFolders.set(controller, folder);
  }
  return folder;
}
