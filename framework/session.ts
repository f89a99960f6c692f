// Types only: the augmentation below needs express-session's declarations, while the library
// itself loads with the session store (see `sessionMiddleware`).
import type {} from 'express-session';
import type { Knex } from 'knex';
import type { Request, RequestHandler } from 'express';
import { markEnding } from './response-state';

declare module 'express-session' {
  interface SessionData {
    /** The signed-in user's id. */
    userId?: number;
    /** When the user signed in (ms since epoch), for the absolute timeout. */
    signedInAt?: number;
  }
}

export interface SessionOptions {
  /** Signs the session cookie. */
  secret: string;
  /** Cookie name (not the default `connect.sid`, which names the library). */
  cookieName?: string;
  /** Seconds of inactivity after which a session ends. */
  idleTimeout?: number;
  /** Seconds after sign-in after which a session ends, however active. */
  absoluteTimeout?: number;
  /** Send the cookie only over HTTPS. */
  secure?: boolean;
}

/** The session middleware: database store, HttpOnly SameSite=Lax cookie, sliding idle expiry, absolute expiry. */
export function sessionMiddleware(db: Knex, options: SessionOptions): RequestHandler[] {
  const absoluteMs = (options.absoluteTimeout ?? 12 * 60 * 60) * 1000;
  const expireSignIn: RequestHandler = (request, _response, next) => {
    const signedInAt = request.session?.signedInAt;
    if (signedInAt === undefined || Date.now() - signedInAt <= absoluteMs) return next();
    // Past the absolute timeout: a new, empty session; the old id is destroyed in the store.
    request.session.regenerate((error) => next(error));
  };
  // express-session (and its store) load here, when an app turns sessions on, not with the framework.
  const { sessionStore } = require('./session-store') as typeof import('./session-store');
  return [rememberEnd, sessionStore(db, options), saveBeforeRedirect, expireSignIn];
}

const endBeforeSession = Symbol('trestle.endBeforeSession');

type SessionResponse = Parameters<RequestHandler>[1] & { [endBeforeSession]?: (...args: unknown[]) => unknown };

/** Keeps the response's `end` as it is before express-session wraps it (see `saveBeforeRedirect`). */
const rememberEnd: RequestHandler = (_request, response, next) => {
  (response as SessionResponse)[endBeforeSession] = response.end as unknown as (...args: unknown[]) => unknown;
  next();
};

/**
 * express-session writes a response's headers before its store has saved the session (it saves
 * while the body goes out). A browser follows a redirect on the headers alone, so the next page
 * could read the session before its new state (a sign-in, a flash) is stored. Redirects therefore
 * save first, then end without express-session's own save: after a regenerated session (sign in,
 * sign out) it would store the same data a second time, late, and could overwrite what the next
 * page has stored since (a flash it has shown and removed).
 */
const saveBeforeRedirect: RequestHandler = (request, response, next) => {
  const end = response.end;
  response.end = function endAfterSave(this: typeof response, ...args: unknown[]) {
    const current = request.session;
    const redirect = response.statusCode >= 300 && response.statusCode < 400;
    // Only a session with something in it is stored (the cookie alone is not worth a row).
    if (!redirect || !current || response.headersSent || Object.keys(current).length <= 1) return end.apply(this, args as never);
    markEnding(response);
    current.save((error: unknown) => {
      if (error) response.statusCode = 500;
      const plainEnd = (response as SessionResponse)[endBeforeSession] ?? end;
      plainEnd.apply(this, args as never);
    });
    return this;
  } as typeof response.end;
  next();
};

/** Replaces the request's session with a new one (new id, nothing carried over); the old one is destroyed. */
export function regenerateSession(request: Request): Promise<void> {
  return new Promise((resolve, reject) => request.session.regenerate((error: unknown) => (error ? reject(error) : resolve())));
}
