import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type Controller, type ControllerClass, viewFolder, filtersFor, type AppContext } from '../controller';
import { runInRequest, timingsOf } from '../observe';
import { responseStarted, chain } from '../support';
import { RouteMatcher } from './route-matcher';
import type { Route, RouteTable } from './url-table';

/** The URL table as a step of the request chain, and a way to ask which route a request would take. */
export interface UrlTableStep {
  /** Runs the matched route's middleware and action; a request no route matches goes on with `next()`. */
  readonly handle: RequestHandler;
  /** The route `method` and `path` would run, if any. */
  routeFor(method: string, path: string): Route | undefined;
}

/** What a matched route runs: its line of the table and its compiled handler. */
interface Target {
  readonly route: Route;
  readonly run: RequestHandler;
}

/**
 * The URL table's step: the route for the request runs its route middleware and its action, with
 * the path's parameters in `request.params` and the line in `request.route` (Express's shape:
 * `path` and `methods`). An OPTIONS request for a path with routes is answered with their methods
 * in `Allow`. Anything unmatched goes on with `next()`: to routes added with Express's API, then
 * the 404 (or the outer app, when mounted). `afterRouteMiddleware` runs between a route's own
 * middleware and its controller (the CSRF check of a multipart form its upload middleware parsed).
 */
export function routeRequests(routes: RouteTable, context: AppContext, afterRouteMiddleware?: RequestHandler): UrlTableStep {
  const matcher = new RouteMatcher<Target>(routes.routes.map((route) => [route, target(route, context, afterRouteMiddleware)] as const));
  return {
    handle: function route(request, response, next) {
      const path = request.path;
      const found = matcher.find(request.method, path);
      if (found) {
        request.params = found.params;
        return found.handler.run(request, response, next);
      }
      const allowed = request.method === 'OPTIONS' ? matcher.allowedMethods(path) : [];
      if (allowed.length === 0) return next();
      const allow = allowed.join(', ');
      response.setHeader('Allow', allow);
      response.type('text/plain').send(allow);
    },
    routeFor: (method, path) => matcher.find(method, path)?.handler.route,
  };
}

function target(route: Route, context: AppContext, afterRouteMiddleware: RequestHandler | undefined): Target {
  // Express middleware reads the matched line from `req.route`: one object per line, made once.
  const expressRoute = Object.freeze({ path: route.path, methods: Object.freeze({ [route.method]: true }) });
  const action = dispatcher(route, context);
  const run = route.use.length === 0 ? action : chain([...route.use, ...(afterRouteMiddleware ? [afterRouteMiddleware] : []), action]);
  return {
    route,
    run: (request, response, next) => {
      request.route = expressRoute;
      run(request, response, next);
    },
  };
}

type Step = (controller: Controller) => unknown;

/**
 * The handler of one route, built once at start: per request it constructs the controller and
 * runs its filters and action, awaiting only what returns a promise.
 */
function dispatcher(route: Route, context: AppContext) {
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
    const controller = new Controller(request, response, context, route);
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
