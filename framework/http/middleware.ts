import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Request, RequestHandler } from 'express';
import express from 'express';
import helmet from 'helmet';
import { BadRequest, HttpError, type Environment } from '../support';

const overridable = new Set(['PUT', 'PATCH', 'DELETE']);

/** HTML forms can only GET and POST: a POST with `_method=PATCH` (or PUT, DELETE) is routed as that method. */
function applyMethodOverride(request: Request): void {
  if (request.method === 'POST' && request.body && typeof request.body._method === 'string') {
    const method = request.body._method.toUpperCase();
    if (overridable.has(method)) {
      request.method = method;
      delete request.body._method;
    }
  }
}

const maxUrlLength = 8 * 1024;

/** A URL over 8 KiB (414), with broken percent-encoding or with a NUL byte (400), as an error; else undefined. */
export function malformedUrl(url: string): HttpError | undefined {
  if (url.length > maxUrlLength) return new HttpError(414, `The URL is longer than ${maxUrlLength} characters.`);
  if (!url.includes('%')) return undefined;
  try {
    decodeURIComponent(url);
  } catch {
    return new BadRequest('The URL is not valid: broken percent-encoding.');
  }
  return /%00/.test(url) ? new BadRequest('The URL is not valid: it contains a NUL byte.') : undefined;
}

/**
 * JSON and form bodies (within `limit`), then `guard` (CSRF protection, which must read the form
 * before method override rewrites its POST), then method override. A GET or HEAD without a body
 * goes straight through.
 */
export function bodyParsing(limit: string, guard?: RequestHandler): RequestHandler {
  const json = express.json({ limit, type: ['application/json', 'application/*+json'] });
  const form = express.urlencoded({ limit, extended: false });
  return (request, response, next) => {
    const headers = request.headers;
    const hasBody = headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined;
    if (!hasBody && (request.method === 'GET' || request.method === 'HEAD')) return next();
    const override = (error?: unknown) => {
      if (error) return next(error);
      applyMethodOverride(request);
      next();
    };
    const parsed = (error?: unknown) => {
      if (error) return next(error);
      if (guard) guard(request, response, override);
      else override();
    };
    if (!hasBody) return parsed();
    json(request, response, (error?: unknown) => (error ? next(error) : form(request, response, parsed)));
  };
}

/**
 * Files under `publicDir`, served as they are (no dotfiles, nothing outside the folder). Outside
 * development the list of files is read once, so a request for anything else costs no disk access;
 * views link assets with a content digest (`asset()`), so they are cached for a day.
 */
export function staticFiles(publicDir: string, env: Environment): RequestHandler {
  const serve = express.static(publicDir, { index: false, dotfiles: 'ignore', maxAge: env === 'development' ? 0 : '1d', fallthrough: true });
  if (env === 'development') return serve;
  const files = new Set(listFiles(publicDir).map((file) => '/' + path.relative(publicDir, file).split(path.sep).join('/')));
  return (request, response, next) => {
    if ((request.method === 'GET' || request.method === 'HEAD') && files.has(request.path)) return serve(request, response, next);
    next();
  };
}

function listFiles(dir: string): string[] {
  let found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found = found.concat(listFiles(full));
    else if (entry.isFile()) found.push(full);
  }
  return found;
}
