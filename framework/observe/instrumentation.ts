import crypto from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import pino, { type Logger } from 'pino';
import type { QueryEvent } from '../db';
import type { SecurityHeaders } from '../security';
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
  viewMs: number;
}

const requests = new PromiseContext<RequestTimings>();

/** The timings of the request whose code is running (followed through `await`), if any. */
export function currentRequest(): RequestTimings | undefined {
  return requests.get();
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

const validRequestId = /^[\w.:-]{1,128}$/;

const ms = (value: number) => Math.round(value * 10) / 10;

/** What the kernel's first step does besides timing: headers to add, health routes, URL checks. */
export interface PipelineOptions {
  /** Health checks: which requests are, and how to answer them. */
  health: { matches(request: Request): boolean; answer(request: Request, response: Response): void };
  checkUrl: (url: string) => Error | undefined;
}

/**
 * The first step of every request, in one function so the common path pays for one middleware.
 * It times the request by layer and reports it twice: a `Server-Timing` header (total,
 * controller, db with its query count, view) for the browser's network panel, and one log line
 * when the response is done, like Rails' "Completed 200 OK in 12ms (Views: 3ms | DB: 2ms, 3
 * queries)". It also echoes or makes the request id (`X-Request-Id`), adds the security headers,
 * answers the health checks (unlogged), and refuses malformed URLs.
 */
export function requestStep(options: PipelineOptions) {
  return function requestStep(request: Request, response: Response, next: NextFunction): void {
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
    const timed = response as TimedResponse;
    timed[timingsKey] = timings;
    if (options.health.matches(request)) {
      timed[quietKey] = true; // probes every few seconds would drown the log
      return options.health.answer(request, response);
    }
    const problem = options.checkUrl(request.url);
    if (problem) return next(problem);
    requests.run(timings, next);
  };
}

const timingsKey = Symbol('trestle.timings');
const quietKey = Symbol('trestle.quiet');

interface TimedResponse extends Response {
  [timingsKey]?: RequestTimings;
  [quietKey]?: boolean;
}

/**
 * Teaches an application's responses (its `app.response` prototype) to send `Server-Timing` and
 * the security headers with their headers, and to write the request's log line when they end:
 * two methods on the prototype rather than closures and a listener on every response.
 */
export function instrumentResponses(responsePrototype: object, logger: Logger, security: SecurityHeaders, sendServerTiming: boolean): void {
  const writeLine = fastLogWriter(logger);
  const { all, documents } = security;
  const proto = responsePrototype as Record<string, unknown>;
  const writeHead = proto.writeHead as (...args: unknown[]) => unknown;
  const end = proto.end as (...args: unknown[]) => unknown;
  proto.writeHead = function writeHeadWithTiming(this: TimedResponse, ...args: unknown[]) {
    const timings = this[timingsKey];
    if (timings && !this.headersSent) {
      if (sendServerTiming) this.setHeader('Server-Timing', serverTiming(timings));
      for (let i = 0; i < all.length; i++) this.setHeader(all[i]![0], all[i]![1]);
      const type = this.getHeader('content-type');
      if (typeof type === 'string' && type.startsWith('text/html')) for (let i = 0; i < documents.length; i++) this.setHeader(documents[i]![0], documents[i]![1]);
    }
    return writeHead.apply(this, args);
  };
  proto.end = function endAndLog(this: TimedResponse, ...args: unknown[]) {
    const result = end.apply(this, args);
    const timings = this[timingsKey];
    if (timings && !this[quietKey]) {
      this[timingsKey] = undefined;
      logRequest(logger, writeLine, this.req as Request, this, timings);
    }
    return result;
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

type LineWriter = (line: string) => void;

/**
 * Writes a request's log line straight to the logger's destination, in pino's own JSON format:
 * pino's general path (serializers, hooks, string escaping) costs several times this, on a line
 * written for every request.
 */
function fastLogWriter(logger: Logger): LineWriter | undefined {
  const stream = (logger as unknown as Record<symbol, LogStream | undefined>)[pino.symbols.streamSym];
  if (!stream || typeof stream.write !== 'function') return undefined;
  const prefix = `{"level":30,"time":`;
  const pid = `,"pid":${process.pid}`;
  // The lines of one turn of the event loop go to the stream as one write: pino's file stream
  // measures its whole pending buffer on every write, which under load costs more than the line.
  let pending = '';
  const flush = () => {
    if (pending === '') return;
    const lines = pending;
    pending = '';
    stream.write(lines);
  };
  flushOnExit.set(stream, flush);
  return (line) => {
    if (pending === '') setImmediate(flush);
    pending += `${prefix}${Date.now()}${pid}${line}}\n`;
  };
}

interface LogStream {
  write(chunk: string): unknown;
  flushSync?(): void;
}

/** Each log stream's pending request lines, written when the process exits (a crash included), as pino's stream does. */
const flushOnExit = new Map<LogStream, () => void>();
process.once('exit', () => {
  for (const [stream, flush] of flushOnExit) {
    flush();
    try {
      stream.flushSync?.();
    } catch {
      // a stream not open yet has nothing of its own to lose
    }
  }
});

function logRequest(logger: Logger, writeLine: LineWriter | undefined, request: Request, response: Response, t: RequestTimings): void {
  if (!logger.isLevelEnabled('info')) return;
  const now = performance.now();
  const path = request.path;
  const total = ms(now - t.start);
  const controller = controllerTime(t, now);
  const status = response.statusCode;
  const db = ms(t.dbMs);
  const view = ms(t.viewMs);
  const route = t.route;
  const message = `${request.method} ${path} ${status} ${STATUS_CODES[status] ?? ''} in ${total}ms (Views: ${view}ms | DB: ${db}ms, ${t.dbCount} ${t.dbCount === 1 ? 'query' : 'queries'})`;
  if (!writeLine) {
    const action = route ? `${route.controller.name}#${route.action}` : undefined;
    logger.info({ reqId: t.id, method: request.method, path, status, route: route?.name, action, ms: { total, controller: controller === undefined ? undefined : ms(controller), db, view }, queries: t.dbCount }, message);
    return;
  }
  // The same fields as the pino call above, written as JSON by hand; only the path and message need escaping.
  let line = `,"reqId":"${t.id}","method":"${request.method}","path":${JSON.stringify(path)},"status":${status}`;
  if (route) line += `,"route":${JSON.stringify(route.name ?? null)},"action":"${route.controller.name}#${route.action}"`;
  line += `,"ms":{"total":${total}${controller === undefined ? '' : `,"controller":${ms(controller)}`},"db":${db},"view":${view}},"queries":${t.dbCount},"msg":${JSON.stringify(message)}`;
  writeLine(line);
}

/** The query hook of an application: counts each statement into its request, and logs slow ones. */
export function queryRecorder(logger: Logger, slowQueryMs: number) {
  return (event: QueryEvent): void => {
    const timings = currentRequest();
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
