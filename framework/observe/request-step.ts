import type { NextFunction, Request, Response } from 'express';
import { newRequestId } from './request-id';
import { enterRequest, quietKey, timingsKey, type RequestTimings, type TimedResponse } from './request-timings';

const validRequestId = /^[\w.:-]{1,128}$/;

/** What the first step does besides timing: health routes and URL checks. */
export interface RequestStepOptions {
  /** Health checks: which requests are, and how to answer them. */
  health: { matches(request: Request): boolean; answer(request: Request, response: Response): void };
  checkUrl: (url: string) => Error | undefined;
}

/**
 * The first step of every request, in one function so the common path pays for one middleware:
 * it starts the request's timings (reported by `instrumentResponses` as `Server-Timing` and the
 * log line), echoes or makes the request id (`X-Request-Id`), answers the health checks
 * (unlogged), and refuses malformed URLs.
 */
export function requestStep(options: RequestStepOptions) {
  return function requestStep(request: Request, response: Response, next: NextFunction): void {
    const given = request.headers['x-request-id'];
    const timings: RequestTimings = {
      id: typeof given === 'string' && validRequestId.test(given) ? given : newRequestId(),
      start: performance.now(),
      route: undefined,
      controllerStart: -1,
      controllerMs: -1,
      dbMs: 0,
      dbCount: 0,
      dbReplicaCount: 0,
      readsFromReplicas: false,
      viewMs: 0,
    };
    response.setHeader('X-Request-Id', timings.id);
    const timed = response as TimedResponse;
    timed[timingsKey] = timings;
    if (options.health.matches(request)) {
      timed[quietKey] = true; // probes every few seconds would drown the log
      return options.health.answer(request, response);
    }
    const problem = options.checkUrl(request.url);
    if (problem) return next(problem);
    enterRequest(timings, next);
  };
}

