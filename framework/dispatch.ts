import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Controller, ControllerClass } from './controller';
import { viewFolder } from './controller';
import { NotFound } from './errors';
import { filtersFor } from './filters';
import { runInRequest, timingsOf } from './instrumentation';
import type { Kernel } from './kernel';
import { responseStarted } from './response-state';
import { RouteMatcher } from './route-matcher';
import type { Route, RouteTable } from './router';

/**
 * The last step: the URL table's route for the request runs its action, with the path's parameters
 * in `request.params`. An OPTIONS request for a path with routes is answered with their methods in
 * `Allow`; anything else unmatched is a 404.
 */
export function routeRequests(routes: RouteTable, kernel: Kernel): RequestHandler {
  const matcher = new RouteMatcher(routes.routes.map((route) => [route, dispatcher(route, kernel)] as const));
  return function route(request, response, next) {
    const path = request.path;
    const found = matcher.find(request.method, path);
    if (found) {
      request.params = found.params;
      return found.handler(request, response, next);
    }
    const allowed = request.method === 'OPTIONS' ? matcher.allowedMethods(path) : [];
    if (allowed.length === 0) return next(new NotFound());
    const allow = allowed.join(', ');
    response.setHeader('Allow', allow);
    response.type('text/plain').send(allow);
  };
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
