import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { requestHelpers } from './helpers';
import type { RouteTable } from './router';
import type { ViewRenderer } from './view';

export type Environment = 'development' | 'test' | 'production';

/** What every controller of one application shares: built once by `createApp`. */
export class Kernel {
  readonly env: Environment;
  readonly routes: RouteTable;
  readonly views: ViewRenderer;
  readonly logger: Logger;
  /** Helpers and values every view sees (`url`, `formatDate`, …), merged under the action's locals. */
  readonly helpers: Record<string, unknown>;
  /** The CSRF token of a request, for forms; set when sessions (and so CSRF protection) are on. */
  csrfToken: (request: Request) => string | undefined = () => undefined;

  constructor(options: { env: Environment; routes: RouteTable; views: ViewRenderer; logger: Logger; helpers: Record<string, unknown> }) {
    this.env = options.env;
    this.routes = options.routes;
    this.views = options.views;
    this.logger = options.logger;
    this.helpers = options.helpers;
  }

  /** The locals of one render: helpers, the request's own (flash, forms), `res.locals`, then the action's. */
  viewLocals(request: Request, response: Response, locals: Record<string, unknown>): Record<string, unknown> {
    return { ...this.helpers, ...requestHelpers(request, () => this.csrfToken(request)), ...response.locals, ...locals };
  }
}
