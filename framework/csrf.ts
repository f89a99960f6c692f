import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Forbidden } from './errors';
import { hasJsonBody } from './negotiation';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface CsrfProtection {
  middleware: RequestHandler;
  /** The session's token for forms (created on first use). */
  token(request: Request): string;
}

/**
 * Cross-site request forgery protection, before method override:
 * - a request a browser would not send cross-site without CORS (PUT, PATCH, DELETE, or a JSON
 *   POST) passes when `Sec-Fetch-Site` and `Origin` say it is same-origin (or an allowed origin);
 * - any other POST (a form) must also carry the session's synchronizer token, as the `_csrf` field
 *   or the `X-CSRF-Token` header. A missing or wrong token is a 403, and nothing runs.
 */
export function csrfProtection(options: { allowedOrigins?: readonly string[] } = {}): CsrfProtection {
  const allowed = new Set(options.allowedOrigins ?? []);
  // Loaded here, with sessions, rather than with the framework.
  const { csrfSync } = require('csrf-sync') as typeof import('csrf-sync');
  const { generateToken, isRequestValid } = csrfSync({
    getTokenFromRequest: (req) => {
      const fromBody = (req.body as Record<string, unknown> | undefined)?._csrf;
      return typeof fromBody === 'string' ? fromBody : (req.headers['x-csrf-token'] as string | undefined);
    },
    size: 32,
  });

  const middleware = (request: Request, _response: Response, next: NextFunction) => {
    if (safeMethods.has(request.method)) return next();
    if (isCrossSite(request, allowed)) return next(new Forbidden('Cross-site requests are refused.'));
    if (request.method === 'POST' && !hasJsonBody(request) && !isRequestValid(request)) {
      return next(new Forbidden('The form has expired or did not come from this site. Reload the page and try again.'));
    }
    if (request.body && typeof request.body === 'object') delete (request.body as Record<string, unknown>)._csrf;
    next();
  };
  return { middleware, token: (request) => generateToken(request) };
}

function isCrossSite(request: Request, allowed: ReadonlySet<string>): boolean {
  const origin = request.headers.origin;
  if (origin && allowed.has(origin)) return false;
  const site = request.headers['sec-fetch-site'];
  if (site && site !== 'same-origin' && site !== 'none') return true;
  return origin !== undefined && origin !== `${request.protocol}://${request.headers.host}`;
}
