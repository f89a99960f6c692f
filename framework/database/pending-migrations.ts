import type { Knex } from 'knex';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { migrate, migrationStatus, type MigrationPaths } from './migrations';

export interface PendingMigrationsOptions {
  knex: Knex;
  paths: MigrationPaths;
  /** The request's CSRF token for the button's form (the kernel checks it on the POST). */
  csrfToken: (request: Request) => string | undefined;
  /** What the page tells the developer to run. */
  command?: string;
}

/** Where the page's button posts. */
export const runMigrationsPath = '/_trestle/migrations';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Development only, as Rails does: while migrations are pending, every request gets a page naming
 * them and the command, with a button that runs them, in place of a `relation does not exist` 500.
 * The state is read once when the app is built and again after each run, never per request.
 */
export function pendingMigrationsPage(options: PendingMigrationsOptions): RequestHandler {
  const command = options.command ?? 'npm run db:migrate';
  let pending: string[] | undefined;
  const refresh = () =>
    migrationStatus(options.knex, options.paths).then(
      (all) => void (pending = all.filter((m) => !m.applied).map((m) => m.name.replace(/\.(ts|js)$/, ''))),
      () => void (pending = []), // the database is away: its own 503 says so
    );
  const checked = refresh();

  const handle = (request: Request, response: Response, next: NextFunction): void => {
    if (request.method === 'POST' && request.path === runMigrationsPath) {
      migrate(options.knex, options.paths)
        .then(refresh)
        .then(() => response.redirect(303, '/'), next);
      return;
    }
    if (!pending?.length) return next();
    const token = options.csrfToken(request);
    const items = pending.map((name) => `<li><code>${escape(name)}</code></li>`).join('');
    const button = token
      ? `<form method="post" action="${runMigrationsPath}"><input type="hidden" name="_csrf" value="${escape(token)}"><button type="submit">Run pending migrations</button></form>`
      : '';
    response
      .status(503)
      .type('html')
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pending migrations · Trestle</title></head><body>` +
          `<h1>Migrations are pending</h1><p>${pending.length} migration(s) have not run on this database:</p><ul>${items}</ul>` +
          `<p>Run <code>${escape(command)}</code>, or:</p>${button}</body></html>`,
      );
  };
  return (request, response, next) => {
    if (pending === undefined) checked.then(() => handle(request, response, next), next);
    else handle(request, response, next);
  };
}
