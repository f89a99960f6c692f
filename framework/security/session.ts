// Types only: the augmentation below needs express-session's declarations, while the library
// itself loads with the session store (see `sessionMiddleware`).
import type {} from 'express-session';
import type { Knex } from 'knex';
import type { Request, RequestHandler } from 'express';
import { markEnding } from '../support';
import { createdHere, type SessionOptions } from './session-options';

export type { SessionOptions } from './session-options';

declare module 'express-session' {
  interface SessionData {
    /** The signed-in user's id. */
    userId?: number;
    /** When the user signed in (ms since epoch), for the absolute timeout. */
    signedInAt?: number;
  }
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
  return [rememberEnd, sessionStore(db, options), saveBeforeSend(), expireSignIn];
}

const endBeforeSession = Symbol('trestle.endBeforeSession');

type SessionResponse = Parameters<RequestHandler>[1] & { [endBeforeSession]?: (...args: unknown[]) => unknown };
type MarkedSession = Request['session'] & { [createdHere]?: true };

/** Keeps the response's `end` as it is before express-session wraps it (see `saveBeforeSend`). */
const rememberEnd: RequestHandler = (_request, response, next) => {
  (response as SessionResponse)[endBeforeSession] = response.end as unknown as (...args: unknown[]) => unknown;
  next();
};

/**
 * express-session writes a response's headers before its store has saved the session (it saves
 * while the body goes out), so a failed save can no longer change the answer: the page, its
 * cookie and its CSRF token arrive as if all were well. Two kinds of response therefore save
 * first and then end without express-session's own save:
 * - a redirect: a browser follows it on the headers alone, so the next page could read the
 *   session before its new state (a sign-in, a flash) is stored;
 * - a session made during this request that now holds something (a form's CSRF token, a
 *   sign-in): the page would hand out a cookie for a session that does not exist.
 * A failed save goes to the error handler (a 503 while the database is away) in place of the
 * response. Skipping express-session's save matters after a regenerated session too: it would
 * store the same data a second time, late, and could overwrite what the next page has stored
 * since (a flash it has shown and removed). Other responses (an empty new session, a stored
 * session seen again) end as express-session ends them, at no extra cost.
 */
function saveBeforeSend(): RequestHandler {
  return (request, response, next) => {
    const end = response.end;
    response.end = function endAfterSave(this: typeof response, ...args: unknown[]) {
      const current = request.session as MarkedSession | undefined;
      if (!current || response.headersSent) return end.apply(this, args as never);
      const redirect = response.statusCode >= 300 && response.statusCode < 400;
      // Only a session with something in it is stored (the cookie alone is not worth a row).
      if ((!redirect && current[createdHere] !== true) || !holdsData(current)) return end.apply(this, args as never);
      markEnding(response);
      const plainEnd = ((response as SessionResponse)[endBeforeSession] ?? end) as typeof response.end;
      current.touch();
      current.save((error: unknown) => {
        if (!error) return plainEnd.apply(this, args as never);
        // Whatever the response would have said is void without its session: the error page
        // replaces it, ends without another try at the store, and shows no flash of the lost state.
        response.end = plainEnd;
        response.removeHeader('Location');
        forget(current);
        next(error);
      });
      return this;
    } as typeof response.end;
    next();
  };
}

/** Whether the session holds anything beside its cookie. */
function holdsData(session: MarkedSession): boolean {
  for (const key in session) if (key !== 'cookie') return true;
  return false;
}

/** Empties a session that could not be stored (so no cookie is sent for a new one). */
function forget(session: MarkedSession): void {
  for (const key of Object.keys(session)) if (key !== 'cookie') delete (session as unknown as Record<string, unknown>)[key];
}

/** Replaces the request's session with a new one (new id, nothing carried over); the old one is destroyed. */
export function regenerateSession(request: Request): Promise<void> {
  return new Promise((resolve, reject) => request.session.regenerate((error: unknown) => (error ? reject(error) : resolve())));
}
