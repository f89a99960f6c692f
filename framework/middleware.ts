import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { BadRequest, HttpError } from './errors';
import type { Environment } from './kernel';

const overridable = new Set(['PUT', 'PATCH', 'DELETE']);

/** HTML forms can only GET and POST: a POST with `_method=PATCH` (or PUT, DELETE) is routed as that method. */
export function methodOverride(request: Request, _response: Response, next: NextFunction): void {
  if (request.method === 'POST' && request.body && typeof request.body._method === 'string') {
    const method = request.body._method.toUpperCase();
    if (overridable.has(method)) {
      request.method = method;
      delete request.body._method;
    }
  }
  next();
}

const maxUrlLength = 8 * 1024;

/** A URL with broken percent-encoding or a NUL byte is a 400, and one over 8 KiB a 414, before anything else reads it. */
export function rejectMalformedUrl(request: Request, _response: Response, next: NextFunction): void {
  const url = request.url;
  if (url.length > maxUrlLength) return next(new HttpError(414, `The URL is longer than ${maxUrlLength} characters.`));
  if (url.includes('%')) {
    try {
      decodeURIComponent(url);
    } catch {
      return next(new BadRequest('The URL is not valid: broken percent-encoding.'));
    }
    if (/%00/.test(url)) return next(new BadRequest('The URL is not valid: it contains a NUL byte.'));
  }
  next();
}

/**
 * Security headers (helmet): a Content-Security-Policy that allows only this site's own scripts,
 * styles and forms (no inline script), no framing, nosniff, a strict Referrer-Policy, and HSTS in
 * production.
 */
export function securityHeaders(env: Environment): RequestHandler {
  const production = env === 'production';
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        // Only where the site is served over HTTPS; on http://localhost it would break every asset.
        ...(production ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: production ? { maxAge: 31536000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    crossOriginEmbedderPolicy: false,
    xFrameOptions: { action: 'deny' },
  });
}
