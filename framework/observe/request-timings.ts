import type { Response } from 'express';
import { PromiseContext } from '../support';

/** The route a request took, as its log line names it: `users.show`, `UsersController#show`. */
export interface TimedRoute {
  readonly name: string | undefined;
  readonly action: string;
  readonly controller: { readonly name: string };
}

/** Where one request's time went: filled in by the dispatcher, the view renderer and the query hook. */
export interface RequestTimings {
  readonly id: string;
  readonly start: number;
  route: TimedRoute | undefined;
  /** When the controller started (filters and action, including its queries and renders); -1 if none ran. */
  controllerStart: number;
  /** Its duration once it has returned; -1 until then. */
  controllerMs: number;
  dbMs: number;
  dbCount: number;
  /** How many of `dbCount` a read replica served. */
  dbReplicaCount: number;
  /** Reads outside transactions may go to a replica (set by `readYourWrites`). */
  readsFromReplicas: boolean;
  viewMs: number;
}

const requests = new PromiseContext<RequestTimings>();

/** The timings of the request whose code is running (followed through `await`), if any. */
export function currentRequest(): RequestTimings | undefined {
  return requests.get();
}

/** Runs the rest of the request (`next`) with `timings` as its context. */
export function enterRequest(timings: RequestTimings, next: () => void): void {
  requests.run(timings, next);
}

/**
 * Runs `work` (a controller, an error page) as part of the request `timings` belongs to. Middleware
 * that continues from a plain callback (static files reading the disk in development, say) hands
 * on no request context; the dispatcher and the error handler set it again from the response.
 */
export function runInRequest<T>(timings: RequestTimings | undefined, work: () => T): T {
  return timings === undefined || requests.get() === timings ? work() : requests.run(timings, work);
}

/** The timings of the request `response` answers, if it is being timed. */
export function timingsOf(response: Response): RequestTimings | undefined {
  return (response as TimedResponse)[timingsKey];
}

export const timingsKey = Symbol('trestle.timings');
export const quietKey = Symbol('trestle.quiet');

export interface TimedResponse extends Response {
  [timingsKey]?: RequestTimings;
  [quietKey]?: boolean;
}


/** Milliseconds rounded to a tenth, as the log line and `Server-Timing` show them. */
export const ms = (value: number) => Math.round(value * 10) / 10;

/**
 * `String(ms(value))` (`7.8`, `12`, `0.1`), built from whole numbers. V8 keeps the text of each
 * fraction it converts in a cache that lives in the old generation, so every new one it holds
 * there is promoted: on the request log line, that was most of what a request left behind (the
 * old generation grew by about 1 MB a second under load until a full collection).
 */
export function formatMs(value: number): string {
  const tenths = Math.round(value * 10);
  const size = Math.abs(tenths);
  const whole = Math.trunc(size / 10);
  const tenth = size - whole * 10;
  const text = tenth === 0 ? `${whole}` : `${whole}.${tenth}`;
  return tenths < 0 ? `-${text}` : text;
}
