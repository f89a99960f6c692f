/**
 * The one file that leans on Express internals. Everything else in Trestle uses Express's public
 * API. What it replaces, and why:
 *
 * - `app.handle` (Express 5 `lib/application.js`): Express's own walks its router for every request.
 *   Trestle's runs its chain of steps instead (request step, sessions, body parsing, the app's
 *   `app.use` middleware, the URL table, the app's routes) and then its own 404 and error handler;
 *   it still does what Express's does first (circular `req.res`/`res.req`, prototypes,
 *   `res.locals`, made on first use) and, when the app is mounted in another, hands what it does
 *   not answer to that app's `next`.
 * - `app.route` and `app.param`: routes registered with `app.get`/`app.post`/`app.all` (which call
 *   `app.route`) go to a second router tried after the URL table, while `app.use` keeps Express's
 *   own lazily created `app.router`.
 * - the request and response classes of Node's HTTP server (`httpClassesOf`): born with the app's
 *   prototypes, so Express need not swap them per request.
 *
 * `test/framework/express-adapter.test.ts` pins the Express behaviour this relies on.
 */
import http from 'node:http';
import express, { type ErrorRequestHandler, type Express, type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { NotFound } from '../support';
import type { HttpClasses } from './server';

/**
 * Request and response classes whose instances are born with the application's prototypes (each
 * class inherits `app.request` or `app.response`: both carry Express's API, and methods added to
 * them later still apply). Express otherwise swaps the
 * prototype of every request and response as it arrives, and an object whose prototype changed
 * sends V8's property caches down their slow path for the rest of the request. `serve` hands these
 * to Node's HTTP server; a server made any other way (supertest, `app.listen`) still works, through
 * the swap.
 */
export function httpClassesOf(app: Express): HttpClasses {
  // Subclasses, not functions that call IncomingMessage or ServerResponse on their `this`: V8 sizes
  // a subclass's instances for the fields its base constructor sets. A plain function's instances
  // get a few slots, so each field Node sets next grows a separate property array, copied every few
  // fields: a request cost 700 bytes more than Node's own, and every response became a
  // dictionary-mode object (every property access a hash lookup, several KB allocated per response).
  class TrestleRequest extends http.IncomingMessage {}
  Object.setPrototypeOf(TrestleRequest.prototype, app.request);
  class TrestleResponse extends http.ServerResponse {}
  Object.setPrototypeOf(TrestleResponse.prototype, app.response);
  return {
    IncomingMessage: TrestleRequest,
    ServerResponse: TrestleResponse as unknown as typeof http.ServerResponse,
  };
}

/**
 * Replaces Express's `handle`, which every request of the app (served, mounted, or under
 * supertest) goes through. It does what Express's does before its router: the circular
 * references, the request and response prototypes that give them Express's API, `res.locals`
 * (made when first used: see `localsOnFirstUse`).
 * Then, instead of walking the router, it runs the kernel's steps, which end in the URL table's
 * own matcher; whatever is left unanswered is a 404, and every error goes to the one error handler.
 */
export function handleRequests(app: Express, run: RequestHandler, handleError: ErrorRequestHandler): void {
  localsOnFirstUse(app.response);
  (app as unknown as { handle: (request: Request, response: Response, callback?: NextFunction) => void }).handle = function handle(request, response, callback) {
    request.res = response;
    response.req = request;
    if (!app.request.isPrototypeOf(request)) Object.setPrototypeOf(request, app.request);
    if (!app.response.isPrototypeOf(response)) Object.setPrototypeOf(response, app.response);
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
 * Gives every response of the app its `res.locals` when something first reads or sets it, rather
 * than making it for each response as Express does: an object without a prototype is a hash table
 * (about 300 bytes), and a JSON answer or a redirect never looks at it. A response whose `locals`
 * was already set (by an outer Express app, when this one is mounted) keeps its own.
 */
function localsOnFirstUse(responsePrototype: object): void {
  const own = (response: object, value: unknown) => Object.defineProperty(response, 'locals', { value, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(responsePrototype, 'locals', {
    configurable: true,
    enumerable: true,
    get(this: object) {
      if (this === responsePrototype) return undefined;
      const locals: Record<string, unknown> = Object.create(null);
      own(this, locals);
      return locals;
    },
    set(this: object, value: unknown) {
      own(this, value);
    },
  });
}

/**
 * The two routers that hold what an app registers with Express's API: `app.use` (and `app.param`)
 * go to Express's own router, which runs before the URL table; routes (`app.get`, `app.post`, …,
 * `app.all`, `app.route`) go to a second router, tried after the URL table and before the 404, so
 * a path the URL table does not match falls through to them. `app.param` applies to both.
 */
export function expressApi(app: Express): { middleware: Router; routes: Router } {
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
export function whenRegistered(router: Router): RequestHandler {
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
