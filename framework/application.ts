import cors from 'cors';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Controller, ControllerClass } from './controller';
import { viewFolder } from './controller';
import type { Database, QueryEvent } from './database';
import { healthChecks } from './health';
import { instrumentResponses, queryRecorder, requestPipeline, runInRequest, timingsOf } from './instrumentation';
import { NotFound } from './errors';
import { errorHandler } from './error-handler';
import { filtersFor } from './filters';
import { defaultHelpers } from './helpers';
import { Kernel, type Environment } from './kernel';
import { createLogger, type Logger } from './logger';
import { Model } from './model';
import { responseStarted } from './response-state';
import type { Route, RouteTable } from './router';
import { csrfProtection } from './csrf';
import { bodyParsing, malformedUrl, securityHeaders, staticFiles } from './middleware';
import { setPasswordCost } from './password';
import { sessionMiddleware, type SessionOptions } from './session';
import { ViewRenderer } from './view';

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

/** A Trestle application: an Express app (a plain request handler) plus the kernel it was built with. */
export type TrestleApp = Express & { kernel: Kernel };

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
  const kernel = new Kernel({
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
  app.kernel = kernel;
  app.disable('x-powered-by');
  app.set('env', env);
  app.set('case sensitive routing', true);
  if (options.config.trustProxy !== undefined) app.set('trust proxy', options.config.trustProxy);
  instrumentResponses(app.response, logger, securityHeaders(env), options.config.serverTiming ?? env !== 'production');
  app.use(
    requestPipeline({
      health: healthChecks(options.db, options.readiness),
      checkUrl: malformedUrl,
    }),
  );
  if (options.publicDir) app.use(staticFiles(options.publicDir, env));
  if (options.config.corsOrigins?.length) {
    app.use(cors({ origin: [...options.config.corsOrigins], methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], maxAge: 600 }));
  }
  if (options.config.session) {
    app.use(sessionMiddleware(options.db.knex, options.config.session));
    const csrf = csrfProtection({ allowedOrigins: options.config.corsOrigins });
    kernel.csrfToken = csrf.token;
    // Before method override: the token check must see the form's POST.
    app.use(bodyParsing(options.config.bodyLimit ?? '100kb', csrf.middleware));
  } else {
    app.use(bodyParsing(options.config.bodyLimit ?? '100kb'));
  }

  // Each route straight on the application's router: no nested router to pass through.
  for (const route of options.routes.routes) app[route.method](expressPath(route.path), dispatcher(route, kernel));
  app.use((_request: Request, _response: Response) => {
    throw new NotFound();
  });
  app.use(errorHandler(kernel));
  return app;
}

/** `/index/` and `/index` are one page: register without the trailing slash, match both. */
function expressPath(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

type Step = (controller: Controller) => unknown;

/**
 * The handler of one route, built once at start: per request it constructs the controller and
 * runs its filters and action, awaiting only what returns a promise.
 */
function dispatcher(route: Route, kernel: Kernel) {
  const Controller: ControllerClass = route.controller;
  const action = route.action;
  const steps: Step[] = [...filtersFor(Controller, action), (controller) => (controller as unknown as Record<string, () => unknown>)[action]!()];
  viewFolder(Controller); // resolve the naming once, at start

  return function dispatch(request: Request, response: Response, next: NextFunction): void {
    const timings = timingsOf(response);
    if (timings) {
      timings.route = route;
      timings.controllerStart = performance.now();
    }
    const controller = new Controller(request, response, kernel, route);
    const done = () => {
      if (!responseStarted(response)) controller.render(action);
      if (timings) timings.controllerMs = performance.now() - timings.controllerStart;
    };
    // Failures go to the error handler through `next`, not as a returned promise: Express would
    // chain one more promise onto every request to catch it.
    const failed = (error: unknown) => {
      if (timings) timings.controllerMs = performance.now() - timings.controllerStart;
      next(error);
    };
    const run = (from: number): void => {
      for (let i = from; i < steps.length; i++) {
        const result = steps[i]!(controller);
        if (result instanceof Promise) {
          result.then(() => {
            try {
              if (responseStarted(response) && i < steps.length - 1) done();
              else run(i + 1);
            } catch (error) {
              failed(error);
            }
          }, failed);
          return;
        }
        if (responseStarted(response) && i < steps.length - 1) return done();
      }
      done();
    };
    try {
      runInRequest(timings, () => run(0));
    } catch (error) {
      failed(error);
    }
  };
}

const queryRecorders = new WeakMap<Database, () => void>();

/** One recorder per database: an app built again on the same database replaces the last one's. */
function recordQueries(db: Database, recorder: (event: QueryEvent) => void): void {
  queryRecorders.get(db)?.();
  queryRecorders.set(db, db.onQuery(recorder));
}
