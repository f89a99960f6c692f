import { STATUS_CODES, validateHeaderName, validateHeaderValue } from 'node:http';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { SecurityHeaders } from '../security';
import { fastLogWriter, type LineWriter } from './log-writer';
import { formatMs, ms, quietKey, timingsKey, type RequestTimings, type TimedResponse, type TimedRoute } from './request-timings';

/**
 * Teaches an application's responses (its `app.response` prototype) to send `Server-Timing` and
 * the security headers with their headers, and to write the request's log line when they end:
 * methods on the prototype rather than closures and a listener on every response. The security
 * headers are defaults: one the app set itself is kept.
 */
export function instrumentResponses(responsePrototype: object, logger: Logger, security: SecurityHeaders, sendServerTiming: boolean): void {
  const writer = fastLogWriter(logger);
  const defaults = defaultHeaders(security);
  const proto = responsePrototype as Record<string, unknown>;
  const writeHead = proto.writeHead as (statusCode: unknown, reason?: unknown, headers?: unknown) => unknown;
  const end = proto.end as (chunk?: unknown, encoding?: unknown, callback?: unknown) => unknown;
  const storeHeader = proto._storeHeader as ((firstLine: string, headers: unknown) => unknown) | undefined;
  // The security headers' lines go out as one block, written after the status line: set one by
  // one, each header is checked, lower-cased, stored and then written again, and a dozen of them
  // cost a page about 5 µs under load (a bare Node server: 22.3 µs a request against 16.9 with the
  // same bytes as one block). Node writes the head in `_storeHeader(firstLine, headers)`, which
  // every response's `writeHead` calls; where it has none, the headers are set one by one.
  let blockFor: object | undefined;
  let block = '';
  if (typeof storeHeader === 'function') {
    proto._storeHeader = function storeHeaderWithDefaults(this: object, firstLine: string, headers: unknown) {
      return storeHeader.call(this, this === blockFor ? firstLine + block : firstLine, headers);
    };
  }
  // Three parameters, as Node's own `writeHead(statusCode, reason?, headers?)`, rather than a rest
  // array made for every response.
  proto.writeHead = function writeHeadWithTiming(this: TimedResponse, statusCode: unknown, reason?: unknown, headers?: unknown) {
    const timings = this[timingsKey];
    if (!timings || this.headersSent) return writeHead.call(this, statusCode, reason, headers);
    if (sendServerTiming) this.setHeader('Server-Timing', serverTiming(timings));
    // Headers given to `writeHead` itself are not set yet: then each default is set one by one
    // before it, and `writeHead` replaces those the call gives (Node sets them over what is there).
    const given = typeof reason === 'object' ? reason : headers;
    const givenHeaders = given && typeof given === 'object' ? given : undefined;
    const type = (givenHeaders && contentTypeIn(givenHeaders)) || this.getHeader('content-type');
    const wanted = typeof type === 'string' && type.startsWith('text/html') ? defaults.documents : defaults.all;
    if (typeof storeHeader !== 'function' || givenHeaders) {
      for (const [name, value, key] of wanted.headers) if (!this.hasHeader(key)) this.setHeader(name, value);
      return writeHead.call(this, statusCode, reason, headers);
    }
    blockFor = this;
    block = wanted.block;
    // A header the app set itself (its own CSP, a framing policy, helmet with other options) stays:
    // these are defaults, as they would be from middleware that ran first.
    const wantedHeaders = wanted.headers;
    for (let i = 0; i < wantedHeaders.length; i++) {
      if (this.hasHeader(wantedHeaders[i]![2])) {
        block = headLines(wantedHeaders.filter(([, , name]) => !this.hasHeader(name)));
        break;
      }
    }
    try {
      return writeHead.call(this, statusCode, reason, headers);
    } finally {
      blockFor = undefined;
    }
  };
  proto.end = function endAndLog(this: TimedResponse, chunk?: unknown, encoding?: unknown, callback?: unknown) {
    const result = end.call(this, chunk, encoding, callback);
    const timings = this[timingsKey];
    if (timings && !this[quietKey]) {
      this[timingsKey] = undefined;
      logRequest(logger, writer, this.req as Request, this, timings);
    }
    return result;
  };
}

/** The Content-Type among headers given to `writeHead` (an object, or a flat list of names and values), if any. */
function contentTypeIn(headers: object): unknown {
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) if (String(headers[i]).toLowerCase() === 'content-type') return headers[i + 1];
    return undefined;
  }
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() === 'content-type') return value;
  return undefined;
}

type DefaultHeader = readonly [name: string, value: string, key: string];

/** One set of default headers: each with its name in lower case (to ask whether the app set it), and all as the lines of a response head. */
interface DefaultHeaderSet {
  readonly headers: readonly DefaultHeader[];
  readonly block: string;
}

/** Headers as the lines of a response head, each ending in CRLF. */
function headLines(headers: ReadonlyArray<readonly [string, string, ...unknown[]]>): string {
  return headers.map(([name, value]) => `${name}: ${value}\r\n`).join('');
}

/** The security headers every response gets, and those every HTML document gets, checked once as Node would check each. */
function defaultHeaders(security: SecurityHeaders): { all: DefaultHeaderSet; documents: DefaultHeaderSet } {
  const set = (headers: SecurityHeaders['all']): DefaultHeaderSet => {
    for (const [name, value] of headers) {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    }
    return { headers: headers.map(([name, value]) => [name, value, name.toLowerCase()] as const), block: headLines(headers) };
  };
  return { all: set(security.all), documents: set([...security.all, ...security.documents]) };
}

/** The controller's time: final once it returned, so far while it is still running (headers go out mid-action). */
function controllerTime(t: RequestTimings, now: number): number | undefined {
  if (t.controllerMs >= 0) return t.controllerMs;
  return t.controllerStart >= 0 ? now - t.controllerStart : undefined;
}

const countOfQueries = (count: number) => `${count} ${count === 1 ? 'query' : 'queries'}`;
/** `0 queries` to `31 queries`, made once: a request's count is written in its log line. */
const queryCounts = Array.from({ length: 32 }, (_, count) => countOfQueries(count));

/** `3 queries`, with where they ran when a replica served any: `1 query (replica)`, `3 queries (2 on replica)`. */
function queries(t: RequestTimings): string {
  const count = queryCounts[t.dbCount] ?? countOfQueries(t.dbCount);
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

/**
 * The parts of a request's log line fixed by its route, method, path and status: the fields from
 * `method` to the opening of `ms`, and the message up to its duration. Made once and used again by
 * the route's next request while they repeat (every request of `/json`, not those of `/users/:id`),
 * and encoded to UTF-8 when first used again, so that a repeating line copies them as bytes.
 */
interface LineHead {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly fields: string;
  readonly message: string;
  encoded?: { readonly fields: Uint8Array; readonly message: Uint8Array };
}

const lineHeads = new WeakMap<TimedRoute, LineHead>();

function lineHead(route: TimedRoute | undefined, method: string, path: string, status: number): LineHead {
  const last = route ? lineHeads.get(route) : undefined;
  if (last !== undefined && last.status === status && last.method === method && last.path === path) {
    last.encoded ??= { fields: Buffer.from(last.fields, 'utf8'), message: Buffer.from(last.message, 'utf8') };
    return last;
  }
  // The path is escaped once and used twice (its own field and the message); the method is an HTTP
  // token, safe as it is, and the rest of the message is ASCII without quotes or backslashes.
  const pathJson = JSON.stringify(path);
  const pathText = pathJson.length === path.length + 2 ? path : pathJson.slice(1, -1);
  const routePart = route ? `,"route":${JSON.stringify(route.name ?? null)},"action":${JSON.stringify(`${route.controller.name}#${route.action}`)}` : '';
  const head: LineHead = {
    method,
    path,
    status,
    fields: `","method":"${method}","path":${pathJson},"status":${status}${routePart},"ms":{"total":`,
    message: `,"msg":"${method} ${pathText} ${status} ${STATUS_CODES[status] ?? ''} in `,
  };
  if (route) lineHeads.set(route, head);
  return head;
}

/** The most bytes a line's numbers and fixed words take besides its head's parts, its id and its query count. */
const lineNumbersBytes = 400;

function logRequest(logger: Logger, writer: LineWriter | undefined, request: Request, response: Response, t: RequestTimings): void {
  if (!logger.isLevelEnabled('info')) return;
  const now = performance.now();
  const path = request.path;
  const controller = controllerTime(t, now);
  const status = response.statusCode;
  const route = t.route;
  if (!writer) {
    const reason = STATUS_CODES[status] ?? '';
    const action = route ? `${route.controller.name}#${route.action}` : undefined;
    const [total, db, view] = [formatMs(now - t.start), formatMs(t.dbMs), formatMs(t.viewMs)];
    const durations = { total: ms(now - t.start), controller: controller === undefined ? undefined : ms(controller), db: ms(t.dbMs), view: ms(t.viewMs) };
    const message = `${request.method} ${path} ${status} ${reason} in ${total}ms (Views: ${view}ms | DB: ${db}ms, ${queries(t)})`;
    logger.info({ reqId: t.id, method: request.method, path, status, route: route?.name, action, ms: durations, queries: t.dbCount }, message);
    return;
  }
  // The same fields as the pino call above, written as JSON by hand straight into the writer's
  // buffer (see `LineWriter`): the durations as whole tenths, each written as `formatMs` would.
  // Built as one string first, a line was a kilobyte of garbage a request.
  const head = lineHead(route, request.method, path, status);
  const total = Math.round((now - t.start) * 10);
  const db = Math.round(t.dbMs * 10);
  const view = Math.round(t.viewMs * 10);
  const counted = queries(t);
  if (!writer.start(3 * (head.fields.length + head.message.length + t.id.length) + counted.length + lineNumbersBytes)) {
    // A line longer than the whole buffer (a path of tens of kilobytes) goes out as one string.
    const controllerPart = controller === undefined ? '' : `,"controller":${formatMs(controller)}`;
    const [totalText, dbText, viewText] = [formatMs(now - t.start), formatMs(t.dbMs), formatMs(t.viewMs)];
    return writer.text(
      `,"reqId":"${t.id}${head.fields}${totalText}${controllerPart},"db":${dbText},"view":${viewText}},"queries":${t.dbCount}${head.message}${totalText}ms (Views: ${viewText}ms | DB: ${dbText}ms, ${counted})"`,
    );
  }
  writer.ascii(',"reqId":"');
  writer.ascii(t.id);
  if (head.encoded) writer.bytes(head.encoded.fields);
  else writer.utf8(head.fields);
  writer.tenths(total);
  if (controller !== undefined) {
    writer.ascii(',"controller":');
    writer.tenths(Math.round(controller * 10));
  }
  writer.ascii(',"db":');
  writer.tenths(db);
  writer.ascii(',"view":');
  writer.tenths(view);
  writer.ascii('},"queries":');
  writer.integer(t.dbCount);
  if (head.encoded) writer.bytes(head.encoded.message);
  else writer.utf8(head.message);
  writer.tenths(total);
  writer.ascii('ms (Views: ');
  writer.tenths(view);
  writer.ascii('ms | DB: ');
  writer.tenths(db);
  writer.ascii('ms, ');
  writer.ascii(counted);
  writer.ascii(')"');
  writer.end();
}
