import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Request, RequestHandler } from 'express';
import express from 'express';
import helmet from 'helmet';
import { BadRequest, HttpError } from './errors';
import type { Environment } from './config';

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

/** Headers to add to responses: some to every response, the rest only to HTML documents. */
export interface SecurityHeaders {
  /** For every response (nosniff; HSTS in production). */
  all: ReadonlyArray<readonly [string, string]>;
  /** For HTML documents only: CSP, framing, cross-origin and referrer policies only mean something there. */
  documents: ReadonlyArray<readonly [string, string]>;
}

const everyResponse = new Set(['x-content-type-options', 'strict-transport-security']);

/**
 * Security headers (helmet): a Content-Security-Policy that allows only this site's own scripts,
 * styles and forms (no inline script), no framing, nosniff, a strict Referrer-Policy, and HSTS in
 * production. The policy has no per-request part, so helmet runs once at start; responses get the
 * resulting headers from a list (documents all of them, other responses the ones that apply).
 */
export function securityHeaders(env: Environment): SecurityHeaders {
  const production = env === 'production';
  const configured = helmet({
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
  const headers: Array<[string, string]> = [];
  const probe = { setHeader: (name: string, value: string) => void headers.push([name, String(value)]), removeHeader: () => undefined };
  configured({} as IncomingMessage, probe as unknown as ServerResponse, () => undefined);
  return {
    all: headers.filter(([name]) => everyResponse.has(name.toLowerCase())),
    documents: headers.filter(([name]) => !everyResponse.has(name.toLowerCase())),
  };
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
 * Runs middleware in order as one Express handler. Each step costs one call instead of a pass
 * through Express's router (its layer matching, prefix trimming and parameter handling). An
 * error, passed to `next`, thrown, or (as Express 5 allows) the rejection of a returned promise,
 * skips the rest and goes to `done`, Express's error handlers.
 */
export function chain(steps: readonly RequestHandler[]): RequestHandler {
  return function runSteps(request, response, done) {
    let position = 0;
    const next = (error?: unknown): void => {
      // `next('route')` and `next('router')` leave the rest of the chain, as they leave a route in Express.
      if (error === 'route' || error === 'router') return done();
      if (error) return done(error);
      const step = steps[position++];
      if (step === undefined) return done();
      try {
        const result: unknown = step(request, response, next);
        if (result instanceof Promise) result.then(undefined, (rejected: unknown) => done(rejected ?? new Error('Rejected promise')));
      } catch (thrown) {
        done(thrown);
      }
    };
    next();
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
