import express, { type Request, type Response } from 'express';
import { weakETag } from './weak-etag';

const expressSend = express.response.send;
const expressJson = express.response.json;

/** Bodies this long (in UTF-16 units) or longer are encoded to a Buffer once, up front. */
const encodeOnceFrom = 512;

/**
 * Answers a complete string body as Express's `res.send` would: the given Content-Type,
 * Content-Length, a weak ETag (Express's shape, a cheaper hash: `weakETag`), a 304 for a fresh
 * conditional GET, no body for HEAD, 204, 205 and 304. It is the controllers' path for every page and JSON answer, so it skips what
 * `res.send` pays on each call: a MIME lookup and a Content-Type parse for the charset, a short
 * body copied into a Buffer (which also makes Node write the headers and the body as two chunks),
 * and a SHA-1 per ETag.
 *
 * Whatever differs from Express's defaults goes through Express itself, so nothing registered is
 * skipped: a `send` replaced on the app or by middleware, an `etag` setting other than `weak`, or an
 * ETag or Transfer-Encoding the action already set. The Content-Type is the caller's (a page is HTML
 * whatever was set before, as `res.type('html')` made it).
 */
export function sendBody(request: Request, response: Response, body: string, contentType: string): void {
  response.setHeader('Content-Type', contentType);
  if (response.send !== expressSend || response.app.settings.etag !== 'weak' || response.hasHeader('etag') || response.hasHeader('transfer-encoding')) {
    response.send(body);
    return;
  }
  // A page is encoded to UTF-8 once, for its length, its ETag and the socket alike: as a string,
  // each of the three encoded it again, and a page with any character past Latin-1 (a dash, a
  // name in another script) is stored as two bytes a character, where each pass costs microseconds.
  // A short body stays a string: Node writes it with the headers in one chunk.
  const payload: string | Buffer = body.length >= encodeOnceFrom ? Buffer.from(body, 'utf8') : body;
  const length = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  response.setHeader('Content-Length', length);
  // A weak ETag in Express's shape, with a cheaper hash than its SHA-1 (see `weakETag`).
  response.setHeader('ETag', weakETag(payload, length));
  const headers = request.headers;
  if ((headers['if-none-match'] !== undefined || headers['if-modified-since'] !== undefined) && request.fresh) response.statusCode = 304;
  const status = response.statusCode;
  if (status === 204 || status === 304) {
    response.removeHeader('Content-Type');
    response.removeHeader('Content-Length');
    response.end();
  } else if (status === 205) {
    response.setHeader('Content-Length', '0');
    response.end();
  } else if (request.method === 'HEAD') response.end();
  else if (typeof payload === 'string') response.end(payload, 'utf8');
  else response.end(payload);
}

/**
 * Answers `value` as JSON, as Express's `res.json` would (`application/json; charset=utf-8`, then
 * `sendBody`). Express answers instead when `res.json` or `res.send` was replaced, when the app set
 * `json replacer`, `json spaces` or `json escape`, or when the action set its own Content-Type.
 */
export function sendJson(request: Request, response: Response, value: unknown): void {
  // JSON.stringify(undefined) is undefined: Express's own answer (no body) for that too.
  const body = jsonAsExpressDefaults(response) ? JSON.stringify(value) : undefined;
  if (body === undefined) response.json(value);
  else sendBody(request, response, body, 'application/json; charset=utf-8');
}

/** Whether Express's `res.json` would serialize with plain `JSON.stringify` and set `application/json` itself. */
function jsonAsExpressDefaults(response: Response): boolean {
  const settings = response.app.settings;
  return response.json === expressJson && settings['json replacer'] === undefined && settings['json spaces'] === undefined && !settings['json escape'] && !response.hasHeader('content-type');
}
