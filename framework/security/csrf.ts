import fs from 'node:fs';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Forbidden, hasJsonBody } from '../support';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface CsrfProtection {
  middleware: RequestHandler;
  /**
   * The deferred check of a multipart form, run after its route's own middleware (an upload parser)
   * has read the form's fields: a missing or wrong `_csrf` field is a 403, and any file the parser
   * wrote to disk for the refused request is removed.
   */
  afterUpload: RequestHandler;
  /** The session's token for forms (created on first use). */
  token(request: Request): string;
}

export interface CsrfOptions {
  /** Origins allowed to send cross-site requests (the CORS origins). */
  allowedOrigins?: readonly string[];
  /**
   * Whether the route a request will take parses its multipart body itself (it declares route
   * middleware). Only there can a multipart form's token be read from a field; elsewhere a
   * multipart POST must carry the token in `X-CSRF-Token`.
   */
  parsesOwnBody?: (request: Request) => boolean;
}

const multipart = /^multipart\/form-data/i;
const pendingCheck = Symbol('trestle.csrfPending');
type PendingRequest = Request & { [pendingCheck]?: true };

/**
 * Cross-site request forgery protection, before method override:
 * - a request a browser would not send cross-site without CORS (PUT, PATCH, DELETE, or a JSON
 *   POST) passes when `Sec-Fetch-Site` and `Origin` say it is same-origin (or an allowed origin);
 * - any other POST (a form) must also carry the session's synchronizer token, as the `_csrf` field
 *   or the `X-CSRF-Token` header. A missing or wrong token is a 403, and nothing runs.
 * - a multipart form (an upload) without the header is checked once its route's middleware has
 *   parsed the fields (`afterUpload`), and only on routes that declare such middleware.
 */
export function csrfProtection(options: CsrfOptions = {}): CsrfProtection {
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
      const upload = multipart.test(request.headers['content-type'] ?? '') && request.headers['x-csrf-token'] === undefined;
      if (upload && options.parsesOwnBody?.(request)) {
        (request as PendingRequest)[pendingCheck] = true;
        return next();
      }
      return next(new Forbidden(upload ? multipartRefused : expired));
    }
    if (request.body && typeof request.body === 'object') delete (request.body as Record<string, unknown>)._csrf;
    next();
  };
  const afterUpload = (request: Request, _response: Response, next: NextFunction) => {
    if (!(request as PendingRequest)[pendingCheck]) return next();
    (request as PendingRequest)[pendingCheck] = undefined;
    if (isRequestValid(request)) {
      delete (request.body as Record<string, unknown>)._csrf;
      return next();
    }
    removeUploadedFiles(request).then(() => next(new Forbidden(expired)), next);
  };
  return { middleware, afterUpload, token: (request) => generateToken(request) };
}

const expired = 'The form has expired or did not come from this site. Reload the page and try again.';
const multipartRefused = 'This form upload cannot be checked for forgery here: send the CSRF token in the X-CSRF-Token header, or give the route its upload middleware in the URL table.';

/** Files a multipart parser (multer's disk storage) wrote for the request: `req.file` and `req.files`, as a list or by field. */
async function removeUploadedFiles(request: Request): Promise<void> {
  const { file, files } = request as Request & { file?: { path?: string }; files?: unknown };
  const all: Array<{ path?: string }> = [];
  if (file) all.push(file);
  if (Array.isArray(files)) all.push(...(files as Array<{ path?: string }>));
  else if (files && typeof files === 'object') for (const list of Object.values(files)) all.push(...(list as Array<{ path?: string }>));
  await Promise.all(all.map((f) => (f.path ? fs.promises.rm(f.path, { force: true }) : undefined)));
}

function isCrossSite(request: Request, allowed: ReadonlySet<string>): boolean {
  const origin = request.headers.origin;
  if (origin && allowed.has(origin)) return false;
  const site = request.headers['sec-fetch-site'];
  if (site && site !== 'same-origin' && site !== 'none') return true;
  return origin !== undefined && origin !== `${request.protocol}://${request.headers.host}`;
}
