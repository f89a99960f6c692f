import { AsyncLocalStorage } from 'node:async_hooks';
import crypto from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import onHeaders from 'on-headers';
import type { Logger } from 'pino';
import type { QueryEvent } from './database';
import type { Route } from './router';

/** Where one request's time went: filled in by the dispatcher, the view renderer and the query hook. */
export interface RequestTimings {
  readonly id: string;
  readonly start: number;
  route: Route | undefined;
  /** When the controller started (filters and action, including its queries and renders); -1 if none ran. */
  controllerStart: number;
  /** Its duration once it has returned; -1 until then. */
  controllerMs: number;
  dbMs: number;
  dbCount: number;
  viewMs: number;
}

const requests = new AsyncLocalStorage<RequestTimings>();

/** The timings of the request being handled, if any. */
export function currentRequest(): RequestTimings | undefined {
  return requests.getStore();
}

const validRequestId = /^[\w.:-]{1,128}$/;
const quietPaths = new Set(['/healthz', '/readyz']);

const ms = (value: number) => Math.round(value * 10) / 10;

/**
 * Times every request by layer and reports it twice: a `Server-Timing` header (total, controller,
 * db with its query count, view) for the browser's network panel, and one log line when the
 * response is done, like Rails' "Completed 200 OK in 12ms (Views: 3ms | DB: 2ms, 3 queries)".
 * The request id comes from `X-Request-Id` (or is made) and is echoed back.
 */
export function instrumentRequests(logger: Logger) {
  return function timeRequest(request: Request, response: Response, next: NextFunction): void {
    const given = request.headers['x-request-id'];
    const timings: RequestTimings = {
      id: typeof given === 'string' && validRequestId.test(given) ? given : crypto.randomUUID(),
      start: performance.now(),
      route: undefined,
      controllerStart: -1,
      controllerMs: -1,
      dbMs: 0,
      dbCount: 0,
      viewMs: 0,
    };
    response.setHeader('X-Request-Id', timings.id);
    onHeaders(response, function setServerTiming(this: Response) {
      this.setHeader('Server-Timing', serverTiming(timings));
    });
    response.once('finish', () => logRequest(logger, request, response, timings));
    requests.run(timings, next);
  };
}

/** The controller's time: final once it returned, so far while it is still running (headers go out mid-action). */
function controllerTime(t: RequestTimings, now: number): number | undefined {
  if (t.controllerMs >= 0) return t.controllerMs;
  return t.controllerStart >= 0 ? now - t.controllerStart : undefined;
}

function serverTiming(t: RequestTimings): string {
  const now = performance.now();
  let header = `total;dur=${ms(now - t.start)}`;
  const controller = controllerTime(t, now);
  if (controller !== undefined) header += `, controller;dur=${ms(controller)}`;
  header += `, db;dur=${ms(t.dbMs)};desc="${t.dbCount} ${t.dbCount === 1 ? 'query' : 'queries'}"`;
  header += `, view;dur=${ms(t.viewMs)}`;
  return header;
}

function logRequest(logger: Logger, request: Request, response: Response, t: RequestTimings): void {
  const path = request.path;
  const level = quietPaths.has(path) ? 'debug' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const now = performance.now();
  const total = ms(now - t.start);
  const controller = controllerTime(t, now);
  const status = response.statusCode;
  logger[level](
    {
      reqId: t.id,
      method: request.method,
      path,
      status,
      route: t.route?.name,
      action: t.route ? `${t.route.controller.name}#${t.route.action}` : undefined,
      ms: { total, controller: controller === undefined ? undefined : ms(controller), db: ms(t.dbMs), view: ms(t.viewMs) },
      queries: t.dbCount,
    },
    `${request.method} ${path} → ${status} ${STATUS_CODES[status] ?? ''} in ${total}ms (Views: ${ms(t.viewMs)}ms | DB: ${ms(t.dbMs)}ms, ${t.dbCount} ${t.dbCount === 1 ? 'query' : 'queries'})`,
  );
}

/** The query hook of an application: counts each statement into its request, and logs slow ones. */
export function queryRecorder(logger: Logger, slowQueryMs: number) {
  return (event: QueryEvent): void => {
    const timings = requests.getStore();
    if (timings) {
      timings.dbMs += event.durationMs;
      timings.dbCount += 1;
    }
    if (event.durationMs >= slowQueryMs) {
      // The SQL has placeholders ($1, $2…); the values themselves are not logged.
      logger.warn({ reqId: timings?.id, sql: event.sql, params: event.bindings.length, ms: ms(event.durationMs) }, `slow query (${ms(event.durationMs)}ms)`);
    }
  };
}
