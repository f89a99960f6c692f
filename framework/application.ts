import cors from 'cors';
import express, { type Express, type Request, type Response } from 'express';
import type { ControllerClass } from './controller';
import { viewFolder } from './controller';
import type { Database, QueryEvent } from './database';
import { healthRoutes } from './health';
import { currentRequest, instrumentRequests, queryRecorder } from './instrumentation';
import { NotFound } from './errors';
import { errorHandler } from './error-handler';
import { filtersFor } from './filters';
import { defaultHelpers } from './helpers';
import { Kernel, type Environment } from './kernel';
import { createLogger, type Logger } from './logger';
import { Model } from './model';
import type { Route, RouteTable } from './router';
import { csrfProtection } from './csrf';
import { methodOverride, rejectMalformedUrl, securityHeaders } from './middleware';
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
 * Builds the application: security headers, static files, body parsing, sessions and CSRF
 * protection, method override, the URL table, a 404 for
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
  if (options.config.trustProxy !== undefined) app.set('trust proxy', options.config.trustProxy);
  app.use(instrumentRequests(logger));
  app.use(rejectMalformedUrl);
  app.use(healthRoutes(options.db, options.readiness));
  app.use(securityHeaders(env));

  if (options.publicDir) {
    app.use(
      express.static(options.publicDir, {
        index: false,
        dotfiles: 'ignore',
        // Views link assets with a content digest (`asset()`), so a long cache is safe outside development.
        maxAge: env === 'development' ? 0 : '1d',
        fallthrough: true,
      }),
    );
  }
  if (options.config.corsOrigins?.length) {
    app.use(cors({ origin: [...options.config.corsOrigins], methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], maxAge: 600 }));
  }
  const limit = options.config.bodyLimit ?? '100kb';
  app.use(express.json({ limit, type: ['application/json', 'application/*+json'] }));
  app.use(express.urlencoded({ limit, extended: false }));
  if (options.config.session) {
    app.use(sessionMiddleware(options.db.knex, options.config.session));
    const csrf = csrfProtection({ allowedOrigins: options.config.corsOrigins });
    kernel.csrfToken = csrf.token;
    app.use(csrf.middleware);
  }
  app.use(methodOverride);

  app.use(buildRouter(options.routes, kernel));
  app.use((_request: Request, _response: Response) => {
    throw new NotFound();
  });
  app.use(errorHandler(kernel));
  return app;
}

/** Compiles the URL table into an Express router once; each request only constructs its controller. */
function buildRouter(routes: RouteTable, kernel: Kernel): express.Router {
  const router = express.Router({ caseSensitive: true, strict: false });
  for (const route of routes.routes) {
    router[route.method](expressPath(route.path), dispatcher(route, kernel));
  }
  return router;
}

/** `/index/` and `/index` are one page: register without the trailing slash, match both. */
function expressPath(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function dispatcher(route: Route, kernel: Kernel) {
  const Controller: ControllerClass = route.controller;
  const action = route.action;
  const filters = filtersFor(Controller, action);
  viewFolder(Controller); // resolve the naming once, at start
  return async function dispatch(request: Request, response: Response): Promise<void> {
    const timings = currentRequest();
    const started = performance.now();
    if (timings) {
      timings.route = route;
      timings.controllerStart = started;
    }
    try {
      const controller = new Controller(request, response, kernel, route);
      for (const filter of filters) {
        await filter(controller);
        if (response.headersSent) return;
      }
      await (controller as unknown as Record<string, () => unknown>)[action]!();
      if (!response.headersSent) controller.render(action);
    } finally {
      if (timings) timings.controllerMs = performance.now() - started;
    }
  };
}

const queryRecorders = new WeakMap<Database, () => void>();

/** One recorder per database: an app built again on the same database replaces the last one's. */
function recordQueries(db: Database, recorder: (event: QueryEvent) => void): void {
  queryRecorders.get(db)?.();
  queryRecorders.set(db, db.onQuery(recorder));
}
