/** Sessions in the database, CSRF protection, flash messages, password hashing and the security headers. */
// session-store.ts is left out on purpose: it loads express-session, which only apps with sessions need (see `sessionMiddleware`).
export * from './csrf';
export * from './flash';
export * from './headers';
export * from './password';
export * from './session-options';
export * from './session';
