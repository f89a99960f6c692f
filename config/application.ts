import path from 'node:path';
import { createApp, logQueries, readYourWrites, migrationStatus, pendingMigrationsPage, type Database, type Logger, type TrestleApp } from '../framework';
import { viewHelpers } from '../app/helpers';
import { Avatar } from '../app/models/Avatar';
import { migrationPaths } from './database';
import routes from './routes';
import { root, type Settings } from './settings';

/** Builds this application from its settings and an open database; used by server.ts and the tests. */
export function buildApplication(settings: Settings, db: Database, logger?: Logger): TrestleApp {
  Avatar.storeIn(settings.uploadsDir);
  const app = createApp({
    routes,
    viewsDir: path.join(root, 'views'),
    publicDir: path.join(root, 'public'),
    db,
    logger,
    readiness: () => assertMigrated(db),
    helpers: viewHelpers,
    config: {
      env: settings.env,
      bodyLimit: settings.bodyLimit,
      session: settings.session,
      corsOrigins: settings.corsOrigins,
      trustProxy: settings.trustProxy,
      passwordCost: settings.passwordCost,
      slowQueryMs: settings.slowQueryMs,
      serverTiming: settings.serverTiming,
      inspector: { ...settings.inspector, root },
    },
  });
  if (settings.databaseScaling.replicaUrls.length > 0) {
    app.use(readYourWrites({ windowMs: settings.databaseScaling.primaryAfterWriteMs, secure: settings.session.secure }));
  }
  if (settings.env === 'development') {
    app.use(pendingMigrationsPage({ knex: db.knex, paths: migrationPaths, csrfToken: (request) => app.context.csrfToken(request) }));
  }
  logQueries(db, app.context.logger, { enabled: settings.logSql, withValues: settings.env === 'development', appRoot: root });
  return app;
}

/** Ready only when every migration has run: a half-deployed schema takes no traffic. */
async function assertMigrated(db: Database): Promise<void> {
  const pending = (await migrationStatus(db.knex, migrationPaths)).filter((m) => !m.applied);
  if (pending.length > 0) throw new Error(`${pending.length} migration(s) pending: run npm run db:migrate`);
}
