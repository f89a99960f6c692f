import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Response } from 'express';
import { decideReplicaReadsBy } from '../database';
import { currentRequest, timingsOf } from './request-timings';

/** How read-your-writes is kept across requests and processes. */
export interface ReadYourWritesOptions {
  /** How long after a writing request its client's reads stay on the primary (replica lag it covers). */
  windowMs: number;
  /** The cookie that carries the window's end; `trestle.primary` by default. */
  cookieName?: string;
  /** Mark the cookie Secure (as the session cookie is in production). */
  secure?: boolean;
}

/**
 * Middleware choosing where a request's reads go, by Rails' rule for automatic role switching: a
 * GET or HEAD reads from the replicas, unless the same client made a writing request (any other
 * method) within `windowMs`; a writing request reads and writes on the primary, and starts the
 * window. The window's end rides in a cookie, so it holds whichever process or machine serves the
 * next request. Mount it after the session (whose lookup then stays on the primary). The choice
 * rides on the request's timings, which the dispatcher carries into the action however the
 * middleware in between continued (a callback, `setImmediate`).
 */
export function readYourWrites(options: ReadYourWritesOptions) {
  const name = options.cookieName ?? 'trestle.primary';
  const maxAge = Math.max(1, Math.ceil(options.windowMs / 1000));
  decideReplicaReadsBy(() => currentRequest()?.readsFromReplicas === true);
  const attributes = `; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${options.secure ? '; Secure' : ''}`;
  return (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void): void => {
    if (request.method === 'GET' || request.method === 'HEAD') {
      const timings = timingsOf(response as Response);
      if (timings && primaryUntil(request.headers.cookie, name) <= Date.now()) timings.readsFromReplicas = true;
      return next();
    }
    response.appendHeader('Set-Cookie', `${name}=${Date.now() + options.windowMs}${attributes}`);
    next();
  };
}

/** The window's end from the `Cookie` header (0 when absent): found in place, as most requests have no such cookie. */
function primaryUntil(cookies: string | undefined, name: string): number {
  if (cookies === undefined) return 0;
  let at = cookies.indexOf(`${name}=`);
  while (at > 0 && cookies[at - 1] !== ' ' && cookies[at - 1] !== ';') at = cookies.indexOf(`${name}=`, at + 1);
  if (at < 0) return 0;
  const value = Number.parseInt(cookies.slice(at + name.length + 1), 10);
  return Number.isFinite(value) ? value : 0;
}
