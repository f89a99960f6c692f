import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Environment } from '../support';
import { requestHelpers, type UrlBuilder, type ViewRenderer } from '../view';
import { timingsOf } from '../observe';

export type { Environment } from '../support';

/** What every controller of one application shares: built once by `createApp`. */
export class AppContext {
  readonly env: Environment;
  readonly routes: UrlBuilder;
  readonly views: ViewRenderer;
  readonly logger: Logger;
  /** Helpers and values every view sees (`url`, `formatDate`, …), merged under the action's locals. */
  readonly helpers: Record<string, unknown>;
  /** The CSRF token of a request, for forms; set when sessions (and so CSRF protection) are on. */
  csrfToken: (request: Request) => string | undefined = () => undefined;

  constructor(options: { env: Environment; routes: UrlBuilder; views: ViewRenderer; logger: Logger; helpers: Record<string, unknown> }) {
    this.env = options.env;
    this.routes = options.routes;
    this.views = options.views;
    this.logger = options.logger;
    this.helpers = options.helpers;
  }

  /**
   * Renders the view `name` (inside `layout`, the default one unless `false`) with the request's
   * locals under `locals`, and counts the time into the request's view time: the one timed render
   * that actions and error pages share.
   */
  render(request: Request, response: Response, name: string, locals: Record<string, unknown>, layout?: string | false): string {
    const started = performance.now();
    const html = this.views.render(name, this.viewLocals(request, response, locals), layout);
    const timings = timingsOf(response);
    if (timings) timings.viewMs += performance.now() - started;
    return html;
  }

  /**
   * The locals of one render: helpers, the request's own (flash, forms), `res.locals`, then the
   * action's, each overriding the ones before. Built by assignment onto the request helpers' fresh
   * object: spreading several objects into one literal takes V8's slow path (microseconds per render).
   */
  viewLocals(request: Request, response: Response, locals: Record<string, unknown>): Record<string, unknown> {
    const merged = requestHelpers(request, () => this.csrfToken(request));
    const { keys, values } = this.sharedHelpers(merged);
    for (let i = 0; i < keys.length; i++) merged[keys[i]!] = values[i];
    for (const key in response.locals) merged[key] = response.locals[key];
    for (const key in locals) merged[key] = locals[key];
    return merged;
  }

  private shared: { keys: string[]; values: unknown[] } | undefined;

  /** The application's helpers as two arrays, minus the names the request's own helpers take. */
  private sharedHelpers(requestOwn: Record<string, unknown>): { keys: string[]; values: unknown[] } {
    if (!this.shared) {
      const keys = Object.keys(this.helpers).filter((key) => !(key in requestOwn));
      this.shared = { keys, values: keys.map((key) => this.helpers[key]) };
    }
    return this.shared;
  }
}
