import path from 'node:path';
import { createApp, type Database, type Logger, type TrestleApp } from '../framework';
import routes from './routes';
import { root, type Settings } from './settings';

/** Builds this application from its settings and an open database; used by server.ts and the tests. */
export function buildApplication(settings: Settings, db: Database, logger?: Logger): TrestleApp {
  return createApp({
    routes,
    viewsDir: path.join(root, 'views'),
    publicDir: path.join(root, 'public'),
    db,
    logger,
    config: {
      env: settings.env,
      bodyLimit: settings.bodyLimit,
      session: settings.session,
      corsOrigins: settings.corsOrigins,
      trustProxy: settings.trustProxy,
      passwordCost: settings.passwordCost,
    },
  });
}
