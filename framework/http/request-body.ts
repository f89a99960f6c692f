import type { Request, RequestHandler } from 'express';
import express from 'express';

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
