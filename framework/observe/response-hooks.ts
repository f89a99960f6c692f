import { STATUS_CODES } from 'node:http';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { SecurityHeaders } from '../security';
import { fastLogWriter, type LineWriter } from './log-writer';
import { formatMs, ms, quietKey, timingsKey, type RequestTimings, type TimedResponse } from './request-timings';

/**
 * Teaches an application's responses (its `app.response` prototype) to send `Server-Timing` and
 * the security headers with their headers, and to write the request's log line when they end:
 * two methods on the prototype rather than closures and a listener on every response.
 */
export function instrumentResponses(responsePrototype: object, logger: Logger, security: SecurityHeaders, sendServerTiming: boolean): void {
  const writeLine = fastLogWriter(logger);
  // Each header with its name in lower case, for the check whether the app already set it.
  const withKey = (headers: SecurityHeaders['all']) => headers.map(([name, value]) => [name, value, name.toLowerCase()] as const);
  const all = withKey(security.all);
  const documents = withKey(security.documents);
  const proto = responsePrototype as Record<string, unknown>;
  const writeHead = proto.writeHead as (...args: unknown[]) => unknown;
  const end = proto.end as (...args: unknown[]) => unknown;
  proto.writeHead = function writeHeadWithTiming(this: TimedResponse, ...args: unknown[]) {
    const timings = this[timingsKey];
    if (timings && !this.headersSent) {
      if (sendServerTiming) this.setHeader('Server-Timing', serverTiming(timings));
      // A header the app set itself (its own CSP, a framing policy, helmet with other options) stays:
      // these are defaults, as they would be from middleware that ran first.
      for (let i = 0; i < all.length; i++) if (!this.hasHeader(all[i]![2])) this.setHeader(all[i]![0], all[i]![1]);
      const type = this.getHeader('content-type');
      if (typeof type === 'string' && type.startsWith('text/html')) for (let i = 0; i < documents.length; i++) if (!this.hasHeader(documents[i]![2])) this.setHeader(documents[i]![0], documents[i]![1]);
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

/** `3 queries`, with where they ran when a replica served any: `1 query (replica)`, `3 queries (2 on replica)`. */
function queries(t: RequestTimings): string {
  const count = `${t.dbCount} ${t.dbCount === 1 ? 'query' : 'queries'}`;
  if (t.dbReplicaCount === 0) return count;
  return t.dbReplicaCount === t.dbCount ? `${count} (replica)` : `${count} (${t.dbReplicaCount} on replica)`;
}

function serverTiming(t: RequestTimings): string {
  const now = performance.now();
  let header = `total;dur=${formatMs(now - t.start)}`;
  const controller = controllerTime(t, now);
  if (controller !== undefined) header += `, controller;dur=${formatMs(controller)}`;
  header += `, db;dur=${formatMs(t.dbMs)};desc="${queries(t)}"`;
  header += `, view;dur=${formatMs(t.viewMs)}`;
  return header;
}

function logRequest(logger: Logger, writeLine: LineWriter | undefined, request: Request, response: Response, t: RequestTimings): void {
  if (!logger.isLevelEnabled('info')) return;
  const now = performance.now();
  const path = request.path;
  const controller = controllerTime(t, now);
  const status = response.statusCode;
  const route = t.route;
  // The durations as text (see `formatMs`), each once: the message and the JSON fields share them.
  const total = formatMs(now - t.start);
  const db = formatMs(t.dbMs);
  const view = formatMs(t.viewMs);
  // After the path, the message is all ASCII without quotes or backslashes: it needs no escaping.
  const after = [' ', String(status), ' ', STATUS_CODES[status] ?? '', ' in ', total, 'ms (Views: ', view, 'ms | DB: ', db, 'ms, ', queries(t), ')'];
  if (!writeLine) {
    const action = route ? `${route.controller.name}#${route.action}` : undefined;
    const durations = { total: ms(now - t.start), controller: controller === undefined ? undefined : ms(controller), db: ms(t.dbMs), view: ms(t.viewMs) };
    logger.info({ reqId: t.id, method: request.method, path, status, route: route?.name, action, ms: durations, queries: t.dbCount }, `${request.method} ${path}${after.join('')}`);
    return;
  }
  // The same fields as the pino call above, written as JSON by hand, as pieces the writer joins
  // (see `fastLogWriter`). The path is escaped once and used twice (its own field and the message);
  // the method is an HTTP token, safe as it is.
  const method = request.method;
  const pathJson = JSON.stringify(path);
  const fields = [',"reqId":"', t.id, '","method":"', method, '","path":', pathJson, ',"status":', String(status)];
  if (route) fields.push(',"route":', JSON.stringify(route.name ?? null), ',"action":"', route.controller.name, '#', route.action, '"');
  fields.push(',"ms":{"total":', total);
  if (controller !== undefined) fields.push(',"controller":', formatMs(controller));
  fields.push(',"db":', db, ',"view":', view, '},"queries":', String(t.dbCount), ',"msg":"', method, ' ', pathJson.slice(1, -1));
  for (let i = 0; i < after.length; i++) fields.push(after[i]!);
  fields.push('"');
  writeLine(fields);
}
