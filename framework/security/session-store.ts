import session, { type SessionData } from 'express-session';
import type { Request, RequestHandler } from 'express';
import type { Knex } from 'knex';
import { createdHere, type SessionOptions } from './session-options';
import { runInBackground } from '../database';

type Callback = (error?: unknown) => void;

/**
 * express-session's store on the application's database (the `sessions` table of the migrations),
 * so every process that shares the database shares the sessions. Errors go to the callback only:
 * a database outage fails the request, never the process.
 */
export class DatabaseSessionStore extends session.Store {
  private nextPrune = 0;

  constructor(
    private readonly db: Knex,
    private readonly table = 'sessions',
  ) {
    super();
  }

  override get(sid: string, callback: (error: unknown, session?: SessionData | null) => void): void {
    this.db(this.table)
      .where('sid', sid)
      .andWhere('expires_at', '>', new Date())
      .first('sess')
      .then((row: { sess: SessionData } | undefined) => callback(null, row ? row.sess : null), callback);
  }

  override set(sid: string, data: SessionData, callback?: Callback): void {
    const row = { sid, sess: JSON.stringify(data), expires_at: expiry(data) };
    this.db(this.table)
      .insert(row)
      .onConflict('sid')
      .merge(['sess', 'expires_at'])
      .then(() => callback?.(), (error: unknown) => callback?.(error));
    this.pruneNow();
  }

  override touch(sid: string, data: SessionData, callback?: Callback): void {
    this.db(this.table)
      .where('sid', sid)
      .update({ expires_at: expiry(data) })
      .then(() => callback?.(), (error: unknown) => callback?.(error));
  }

  override destroy(sid: string, callback?: Callback): void {
    this.db(this.table)
      .where('sid', sid)
      .delete()
      .then(() => callback?.(), (error: unknown) => callback?.(error));
  }

  /**
   * Deletes expired sessions; runs at most hourly, piggy-backing on writes. It runs in the
   * background, so closing the database waits for it, and a failure is logged.
   */
  private pruneNow(): void {
    const now = Date.now();
    if (now < this.nextPrune) return;
    this.nextPrune = now + 60 * 60 * 1000;
    runInBackground(this.db, 'session clean-up', () => this.db(this.table).where('expires_at', '<=', new Date(now)).delete());
  }
}

function expiry(data: SessionData): Date {
  const expires = data.cookie?.expires;
  return expires ? new Date(expires) : new Date(Date.now() + 24 * 60 * 60 * 1000);
}

/** express-session with the database store and Trestle's cookie settings. */
export function sessionStore(db: Knex, options: SessionOptions): RequestHandler {
  const store = new DatabaseSessionStore(db);
  const middleware = session({
    store,
    name: options.cookieName ?? 'trestle.sid',
    secret: options.secret,
    resave: false,
    // No row and no cookie until something is stored: anonymous page views cost nothing.
    saveUninitialized: false,
    rolling: true,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: options.secure ?? false,
      maxAge: (options.idleTimeout ?? 2 * 60 * 60) * 1000,
      path: '/',
    },
  });
  // express-session installs `generate` on the store; a session it makes (a first visit, a
  // regenerated one) is marked, so the response saves it before it is sent (see session.ts).
  const installed = store as unknown as { generate: (request: Request) => void };
  const generate = installed.generate.bind(store);
  installed.generate = (request) => {
    generate(request);
    (request.session as { [createdHere]?: true })[createdHere] = true;
  };
  return middleware;
}
