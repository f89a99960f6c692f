import cors from 'cors';
import express, { type Express, type RequestHandler } from 'express';
import { AppContext, type Environment } from '../controller';
import type { Database, QueryEvent } from '../database';
import { Model } from '../model';
import { createLogger, healthChecks, instrumentResponses, queryRecorder, requestStep, type Logger } from '../observe';
import { routeRequests, type RouteTable, type UrlTableStep } from '../routing';
import { csrfProtection, securityHeaders, sessionMiddleware, setPasswordCost, type SessionOptions } from '../security';
import { chain } from '../support';
import { defaultHelpers, ViewRenderer } from '../view';
import { errorHandler } from './error-handler';
import { expressApi, handleRequests, httpClassesOf, whenRegistered } from './express-adapter';
import { bodyParsing } from './request-body';
import { staticFiles } from './static-files';
import { malformedUrl } from './url-check';
import type { HttpClasses } from './server';
import type { Inspector, InspectorSettings } from '../inspector';

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
    /**
     * The request inspector at `/_trestle/` and the development error page: development only (in
     * production and test their code is never loaded), on there unless `enabled` is false.
     */
    inspector?: InspectorSettings;
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
  const inspector = env === 'development' && options.config.inspector?.enabled !== false ? loadInspector(options, logger) : undefined;
  const views = new ViewRenderer({ viewsDir: options.viewsDir, cache: env !== 'development', observer: inspector?.views });
  const context = new AppContext({
    env,
    routes: options.routes,
    views,
    logger,
    helpers: { ...defaultHelpers(options.routes, options.publicDir), ...options.helpers },
  });
  Model.useDatabase(options.db.knex);
  if (options.config.passwordCost) setPasswordCost(options.config.passwordCost);

  const recorder = queryRecorder(logger, options.config.slowQueryMs ?? 200);
  recordQueries(options.db, inspector ? inspector.alsoRecording(recorder) : recorder);

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
  if (inspector) steps.push(inspector.step);
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
  handleRequests(app, chain(steps), errorHandler(context, inspector?.errors));
  app.httpClasses = httpClassesOf(app);
  return app;
}

/**
 * The inspector's code, required here and only here: production and test never load it (nor
 * `ejs` templates of its own, nor its listeners), so it costs them nothing.
 */
function loadInspector(options: AppOptions, logger: Logger): Inspector {
  const { createInspector } = require('../inspector') as typeof import('../inspector');
  return createInspector({ ...options.config.inspector, logger });
}

const queryRecorders = new WeakMap<Database, () => void>();

/** One recorder per database: an app built again on the same database replaces the last one's. */
function recordQueries(db: Database, recorder: (event: QueryEvent) => void): void {
  queryRecorders.get(db)?.();
  queryRecorders.set(db, db.onQuery(recorder));
}
