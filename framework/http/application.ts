import http from 'node:http';
import type { Socket } from 'node:net';
import cors from 'cors';
import express, { type ErrorRequestHandler, type Express, type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Database, QueryEvent } from '../db';
import { healthChecks } from '../observe';
import { instrumentResponses, queryRecorder, requestStep } from '../observe';
import { NotFound } from '../support';
import { errorHandler } from './error-handler';
import { defaultHelpers } from '../view';
import { AppContext, type Environment } from '../controller';
import { createLogger, type Logger } from '../observe';
import { Model } from '../model';
import type { RouteTable } from '../routing';
import { csrfProtection } from '../security';
import { bodyParsing, malformedUrl, staticFiles } from './middleware';
import { chain } from '../support';
import { securityHeaders } from '../security';
import { routeRequests, type UrlTableStep } from '../routing';
import { setPasswordCost } from '../security';
import type { HttpClasses } from './server';
import { sessionMiddleware, type SessionOptions } from '../security';
import { ViewRenderer } from '../view';

export interface AppOptions {
  /** The URL table from `defineRoutes`. */
  routes: RouteTable;
  /** Folder of EJS templates (`layouts/`, `errors/`, one folder per controller). */
  viewsDir: string;
  /** Folder served as static files, if any. */
  publicDir?: string;
  /** The open database; models use it. */
  db: Database;
  config: {
    env: Environment;
    /** Largest accepted JSON or form body, e.g. `'100kb'`. */
    bodyLimit?: string;
    /** Sessions in the database (needed for flash messages, sign-in, CSRF). */
    session?: SessionOptions;
    /** Origins allowed to call the JSON API from browsers (CORS); none by default. */
    corsOrigins?: readonly string[];
    /** Express's `trust proxy` (behind a load balancer that sets X-Forwarded-*). */
    trustProxy?: boolean | number | string;
    /** log2 of scrypt's N for new password hashes (17, OWASP's recommendation, by default). */
    passwordCost?: number;
    /** Statements slower than this many ms are logged with their SQL (default 200). */
    slowQueryMs?: number;
    /**
     * Send each response's time split (`Server-Timing`) to the client: on by default in development
     * and test, off in production (as in Rails), where it would tell anyone how long the database
     * took. The log line carries the same split either way.
     */
    serverTiming?: boolean;
  };
  /** What `/readyz` checks beyond `SELECT 1` (pending migrations, say); throw to report not ready. */
  readiness?: () => Promise<void>;
  logger?: Logger;
  /** Extra values and functions every view can use. */
  helpers?: Record<string, unknown>;
}

/** A Trestle application: an Express app (a plain request handler) plus what its controllers share. */
export type TrestleApp = Express & {
  context: AppContext;
  /** Request and response classes for Node's HTTP server (`serve` uses them): see `httpClassesOf`. */
  httpClasses: HttpClasses;
};

/**
 * Builds the application: request timing and ids, security headers, health checks, static files,
 * sessions and CSRF protection, body parsing and method override, the URL table, a 404 for
 * everything else, and the one error handler. The result does not know its server: give it to
 * `http.createServer`, supertest, or a cluster worker.
 */
export function createApp(options: AppOptions): TrestleApp {
  const { env } = options.config;
  const logger = options.logger ?? createLogger({ level: env === 'test' ? 'silent' : 'info' });
  const views = new ViewRenderer({ viewsDir: options.viewsDir, cache: env !== 'development' });
  const context = new AppContext({
    env,
    routes: options.routes,
    views,
    logger,
    helpers: { ...defaultHelpers(options.routes, options.publicDir), ...options.helpers },
  });
  Model.useDatabase(options.db.knex);
  if (options.config.passwordCost) setPasswordCost(options.config.passwordCost);

  recordQueries(options.db, queryRecorder(logger, options.config.slowQueryMs ?? 200));

  const app = express() as TrestleApp;
  app.context = context;
  app.disable('x-powered-by');
  app.set('env', env);
  app.set('case sensitive routing', true);
  if (options.config.trustProxy !== undefined) app.set('trust proxy', options.config.trustProxy);
  instrumentResponses(app.response, logger, securityHeaders(env), options.config.serverTiming ?? env !== 'production');

  // The kernel's steps run as one chain (see `chain`), in place of Express's router: no walk
  // through a layer per step and per line of the URL table on the way to an action.
  const steps: RequestHandler[] = [requestStep({ health: healthChecks(options.db, options.readiness), checkUrl: malformedUrl })];
  if (options.publicDir) steps.push(staticFiles(options.publicDir, env));
  if (options.config.corsOrigins?.length) {
    steps.push(cors({ origin: [...options.config.corsOrigins], methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], maxAge: 600 }));
  }
  let urlTable: UrlTableStep;
  if (options.config.session) {
    steps.push(...sessionMiddleware(options.db.knex, options.config.session));
    const csrf = csrfProtection({
      allowedOrigins: options.config.corsOrigins,
      parsesOwnBody: (request) => (urlTable.routeFor(request.method, request.path)?.use.length ?? 0) > 0,
    });
    context.csrfToken = csrf.token;
    urlTable = routeRequests(options.routes, context, csrf.afterUpload);
    // Before method override: the token check must see the form's POST.
    steps.push(bodyParsing(options.config.bodyLimit ?? '100kb', csrf.middleware));
  } else {
    urlTable = routeRequests(options.routes, context);
    steps.push(bodyParsing(options.config.bodyLimit ?? '100kb'));
  }
  // What the app registers with Express's own API runs at two points: `app.use` middleware before
  // the URL table, `app.get`/`app.post`/`app.all`/`app.route` routes after it (see `expressApi`).
  const { middleware, routes } = expressApi(app);
  steps.push(whenRegistered(middleware), urlTable.handle, whenRegistered(routes));
  handleRequests(app, chain(steps), errorHandler(context));
  app.httpClasses = httpClassesOf(app);
  return app;
}

/**
 * Request and response classes whose instances are born with the application's prototypes (its
 * `app.request` and `app.response`, which carry Express's API). Express otherwise swaps the
 * prototype of every request and response as it arrives, and an object whose prototype changed
 * sends V8's property caches down their slow path for the rest of the request. `serve` hands these
 * to Node's HTTP server; a server made any other way (supertest, `app.listen`) still works, through
 * the swap.
 */
function httpClassesOf(app: TrestleApp): HttpClasses {
  function TrestleRequest(this: http.IncomingMessage, socket: Socket) {
    http.IncomingMessage.call(this, socket);
  }
  TrestleRequest.prototype = app.request;
  function TrestleResponse(this: http.ServerResponse, request: http.IncomingMessage, options?: object) {
    (http.ServerResponse as unknown as (this: http.ServerResponse, ...args: unknown[]) => void).call(this, request, options);
  }
  TrestleResponse.prototype = app.response;
  return {
    IncomingMessage: TrestleRequest as unknown as typeof http.IncomingMessage,
    ServerResponse: TrestleResponse as unknown as typeof http.ServerResponse,
  };
}

/**
 * Replaces Express's `handle`, which every request of the app (served, mounted, or under
 * supertest) goes through. It does what Express's does before its router: the circular
 * references, the request and response prototypes that give them Express's API, `res.locals`.
 * Then, instead of walking the router, it runs the kernel's steps, which end in the URL table's
 * own matcher; whatever is left unanswered is a 404, and every error goes to the one error handler.
 */
function handleRequests(app: TrestleApp, run: RequestHandler, handleError: ErrorRequestHandler): void {
  (app as unknown as { handle: (request: Request, response: Response, callback?: NextFunction) => void }).handle = function handle(request, response, callback) {
    request.res = response;
    response.req = request;
    if (Object.getPrototypeOf(request) !== app.request) Object.setPrototypeOf(request, app.request);
    if (Object.getPrototypeOf(response) !== app.response) Object.setPrototypeOf(response, app.response);
    if (!response.locals) response.locals = Object.create(null);
    if (request.originalUrl === undefined) request.originalUrl = request.url;
    if (request.baseUrl === undefined) request.baseUrl = '';
    run(request, response, (error?: unknown) => {
      // Mounted inside another Express app, a path no route here answers goes back to that app.
      if (error === undefined && callback) return callback();
      const fallback = callback ?? lastResort(request, response);
      try {
        handleError(error ?? new NotFound(), request, response, fallback);
      } catch (failure) {
        fallback(failure);
      }
    });
  };
}

/**
 * The two routers that hold what an app registers with Express's API: `app.use` (and `app.param`)
 * go to Express's own router, which runs before the URL table; routes (`app.get`, `app.post`, …,
 * `app.all`, `app.route`) go to a second router, tried after the URL table and before the 404, so
 * a path the URL table does not match falls through to them. `app.param` applies to both.
 */
function expressApi(app: TrestleApp): { middleware: Router; routes: Router } {
  const middleware = app.router as unknown as Router;
  const routes = express.Router({ caseSensitive: true });
  const param = app.param.bind(app);
  Object.assign(app, {
    route: (path: string) => routes.route(path),
    param: (name: string | string[], handler: Parameters<Router['param']>[1]) => {
      for (const each of [name].flat()) routes.param(each, handler);
      return param(name as string, handler);
    },
  });
  return { middleware, routes };
}

/** A router as a step of the chain, costing one length check while nothing is registered on it. */
function whenRegistered(router: Router): RequestHandler {
  return (request, response, next) => (router.stack.length === 0 ? next() : router(request, response, next));
}

/** What happens to an error the error handler passes on (the response had already started): the connection is cut, so the client sees it broke. */
function lastResort(request: Request, response: Response): NextFunction {
  return (error?: unknown) => {
    if (!error) return;
    if (response.headersSent) {
      request.socket.destroy();
      return;
    }
    response.statusCode = 500;
    response.end('Internal Server Error');
  };
}

const queryRecorders = new WeakMap<Database, () => void>();

/** One recorder per database: an app built again on the same database replaces the last one's. */
function recordQueries(db: Database, recorder: (event: QueryEvent) => void): void {
  queryRecorders.get(db)?.();
  queryRecorders.set(db, db.onQuery(recorder));
}
