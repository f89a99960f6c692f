/** What sessions are configured with, and the mark a new session carries: shared by the middleware and its store. */

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

/** Marks a session made during this request (a first visit, or regenerated at sign-in or out). */
export const createdHere = Symbol('trestle.sessionCreatedHere');
