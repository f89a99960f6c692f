import crypto from 'node:crypto';
import express, { type Request, type Response } from 'express';

const expressSend = express.response.send;
const expressJson = express.response.json;

/**
 * Answers a complete string body exactly as Express's `res.send` would: the given Content-Type,
 * Content-Length, Express's weak ETag, a 304 for a fresh conditional GET, no body for HEAD, 204,
 * 205 and 304. It is the controllers' path for every page and JSON answer, so it skips what
 * `res.send` pays on each call: a MIME lookup and a Content-Type parse for the charset, the body
 * copied into a Buffer (which also makes Node write the headers and the body as two chunks), and
 * a hash object per ETag.
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
  const length = Buffer.byteLength(body);
  response.setHeader('Content-Length', length);
  // Express's weak ETag, the `etag` package's formula: the length in hex and the SHA-1 in base64.
  response.setHeader('ETag', `W/"${length.toString(16)}-${crypto.hash('sha1', body, 'base64').substring(0, 27)}"`);
  const headers = request.headers;
  if ((headers['if-none-match'] !== undefined || headers['if-modified-since'] !== undefined) && request.fresh) response.statusCode = 304;
  const status = response.statusCode;
  if (status === 204 || status === 304) {
    response.removeHeader('Content-Type');
    response.removeHeader('Content-Length');
    body = '';
  } else if (status === 205) {
    response.setHeader('Content-Length', '0');
    body = '';
  }
  if (request.method === 'HEAD') response.end();
  else response.end(body, 'utf8');
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
